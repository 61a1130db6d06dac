"""The pure core: no I/O, no threads, no desktop libraries. Time always comes in as a parameter."""
