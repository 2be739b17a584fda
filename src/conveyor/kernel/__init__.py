"""The dataflow kernel: task records, the state machine and its thread (step 2)."""
