"""Footprint benchmark of deskmobility against its peers: see bench/README."""
