"""Reporters turn pipeline results into bytes; only the CLI writes them out."""
