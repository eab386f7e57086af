"""compiler.adapters"""
