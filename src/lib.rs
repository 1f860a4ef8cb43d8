//! incident: record an outage as you work it; the postmortem falls out of the record.

pub mod redact;
