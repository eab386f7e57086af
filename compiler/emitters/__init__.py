"""compiler.emitters"""
