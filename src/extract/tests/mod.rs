//! Tests of the extraction library against real pasted outputs.
