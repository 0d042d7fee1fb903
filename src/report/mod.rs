//! Rendering evaluations for `check` and `explain`.
