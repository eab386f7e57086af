"""compiler.analyses"""
