"""compiler.audit"""
