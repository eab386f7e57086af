"""Sub-commands of `policyc` beyond check, export, fmt and explain; each module has `register(sub)`."""
