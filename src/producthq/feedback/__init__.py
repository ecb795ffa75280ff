"""The feedback hub: customers, feedback from every source, import, themes, sentiment."""
