"""Product analytics: the canonical event schema, metric definitions on Ibis, event sources."""
