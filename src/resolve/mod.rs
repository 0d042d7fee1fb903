//! Resolving the six policy scopes into one effective policy and its hash.
