"""policyc: a compiler for children's social care practice standards.

The pipeline, one package a stage; data flows one way (tests/test_layers.py enforces it):

    dsl (grammar → AST) → model (resolve → IR) → graph → analyses → emitters → adapters → audit
    → build → cli
"""
