"""Domain logic, one module per area. Functions take a Session and an explicit `today`/`now`."""
