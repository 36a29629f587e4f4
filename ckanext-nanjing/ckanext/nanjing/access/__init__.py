"""有条件开放: who may have the data of a conditional dataset, and the record of it."""
