//! Condition trees and their evaluation, with the reference wrappers' semantics.
