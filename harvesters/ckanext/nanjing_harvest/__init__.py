"""The platform's harvesters (see harvesters/README.md)."""
