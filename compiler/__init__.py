"""policyc: a compiler for children's social care practice standards."""
