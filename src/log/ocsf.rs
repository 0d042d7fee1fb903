//! The OCSF export (`policy-exec log export --ocsf`): each stored record as an OCSF 1.3
//! event for the log shippers and SIEMs fleets already run. The stored format stays the
//! compact one; this is a view.
//!
//! - A decision is a Process Activity (class 1007, System Activity, activity Launch): the
//!   process is the script the agent asked to run, the actor the process that asked.
//!   `disposition_id` says what happened: Allowed, Blocked, Challenge (a human or the
//!   harness is asked), Approved (a human said yes, or a grant) or Rejected (a human
//!   said no).
//! - A proposal, grant, mode or install event is a Device Config State Change (class
//!   5019, Discovery, activity Log): the device's policy changed state.
//!
//! Everything policy-exec knows that OCSF has no attribute for goes in `unmapped`.

use serde_json::{Value, json};

use super::clock::Instant;

/// The OCSF schema version the events follow.
pub const OCSF_VERSION: &str = "1.3.0";

/// The record as an OCSF event, or `None` for a line that is not a record of ours.
pub fn event(record: &Value, hostname: &str) -> Option<Value> {
    record.get("v")?;
    let time = record
        .get("ts")
        .and_then(Value::as_str)
        .and_then(Instant::parse)
        .map_or(0, |t| t.millis);
    let metadata = json!({
        "version": OCSF_VERSION,
        "product": {
            "name": "policy-exec",
            "vendor_name": "policy-exec",
            "version": env!("CARGO_PKG_VERSION"),
        },
        "uid": record.get("id"),
        "original_time": record.get("ts"),
        "log_name": "decisions",
        "event_code": record.get("event").or_else(|| record.get("mode")),
    });
    let device = json!({"type_id": 0, "type": "Unknown", "hostname": hostname});
    match record.get("event").and_then(Value::as_str) {
        None => Some(decision_event(record, time, metadata, device)),
        Some(name) => Some(config_event(record, name, time, metadata, device)),
    }
}

/// The disposition of a decision record: (id, caption).
fn disposition(record: &Value) -> (u32, &'static str) {
    let decision = record.get("decision").and_then(Value::as_str);
    let asked = record.get("asked").and_then(Value::as_str);
    let deferred = record.get("deferred").is_some();
    match (decision, asked) {
        (Some("allow"), _) => (1, "Allowed"),
        (_, Some("approved" | "grant")) => (8, "Approved"),
        (_, Some("declined")) => (25, "Rejected"),
        (Some("request"), Some("by_harness")) => (23, "Challenge"),
        (Some("request"), None) if deferred => (23, "Challenge"),
        _ => (2, "Blocked"),
    }
}

fn decision_event(record: &Value, time: u64, metadata: Value, device: Value) -> Value {
    let (disposition_id, disposition) = disposition(record);
    let (action_id, action) = match disposition_id {
        1 | 8 => (1, "Allowed"),
        23 => (99, "Other"),
        _ => (2, "Denied"),
    };
    let (severity_id, severity) = match disposition_id {
        1 | 8 => (1, "Informational"),
        23 => (2, "Low"),
        _ => (3, "Medium"),
    };
    json!({
        "class_uid": 1007,
        "class_name": "Process Activity",
        "category_uid": 1,
        "category_name": "System Activity",
        "activity_id": 1,
        "activity_name": "Launch",
        "type_uid": 100_701,
        "type_name": "Process Activity: Launch",
        "time": time,
        "severity_id": severity_id,
        "severity": severity,
        "action_id": action_id,
        "action": action,
        "disposition_id": disposition_id,
        "disposition": disposition,
        "message": record.get("reason"),
        "metadata": metadata,
        "device": device,
        "actor": {
            "process": {"pid": record.get("ppid")},
            "app_name": record.get("harness"),
        },
        "process": {
            "cmd_line": record.get("script"),
            "pid": record.get("pid"),
        },
        "unmapped": {
            "mode": record.get("mode"),
            "decision": record.get("decision"),
            "asked": record.get("asked"),
            "commands": record.get("commands"),
            "cwd": record.get("cwd"),
            "repo": record.get("repo"),
            "tty": record.get("tty"),
            "policy_hash": record.get("policy_hash"),
        },
    })
}

fn config_event(record: &Value, name: &str, time: u64, metadata: Value, device: Value) -> Value {
    let state_id = match name {
        "proposal_approved" | "grant_created" | "grant_resumed" | "policy_installed"
        | "mode_switched" => 2,
        "proposal_rejected" | "proposal_expired" | "proposal_withdrawn" | "grant_suspended"
        | "grant_archived" => 1,
        _ => 99,
    };
    let state = match state_id {
        2 => "Enabled",
        1 => "Disabled",
        _ => name,
    };
    json!({
        "class_uid": 5019,
        "class_name": "Device Config State Change",
        "category_uid": 5,
        "category_name": "Discovery",
        "activity_id": 1,
        "activity_name": "Log",
        "type_uid": 501_901,
        "type_name": "Device Config State Change: Log",
        "time": time,
        "severity_id": 1,
        "severity": "Informational",
        "state_id": state_id,
        "state": state,
        "message": record.get("reason").or_else(|| record.get("event")),
        "metadata": metadata,
        "device": device,
        "unmapped": record,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(json!({"decision": "allow", "asked": null}), 1, "Allowed", 1)]
    #[case(json!({"decision": "deny", "asked": null}), 2, "Blocked", 2)]
    #[case(json!({"decision": "request", "asked": "approved"}), 8, "Approved", 1)]
    #[case(json!({"decision": "request", "asked": "grant"}), 8, "Approved", 1)]
    #[case(json!({"decision": "request", "asked": "declined"}), 25, "Rejected", 2)]
    #[case(json!({"decision": "request", "asked": "timed_out"}), 2, "Blocked", 2)]
    #[case(json!({"decision": "request", "asked": "no_terminal"}), 2, "Blocked", 2)]
    #[case(json!({"decision": "request", "asked": "by_harness"}), 23, "Challenge", 99)]
    #[case(json!({"decision": "request", "asked": null, "deferred": "guard"}), 23, "Challenge", 99)]
    fn decisions_map_to_dispositions(
        #[case] mut record: Value,
        #[case] id: u64,
        #[case] caption: &str,
        #[case] action: u64,
    ) {
        if let Some(obj) = record.as_object_mut() {
            obj.insert("v".into(), json!(1));
            obj.insert("ts".into(), json!("2026-12-04T20:18:22.000Z"));
        }
        let e = event(&record, "host").unwrap();
        assert_eq!(e["class_uid"], 1007);
        assert_eq!(e["disposition_id"], id);
        assert_eq!(e["disposition"], caption);
        assert_eq!(e["action_id"], action);
        assert_eq!(e["type_uid"], 100_701);
        assert_eq!(e["time"], 1_796_415_502_000_u64);
    }

    #[rstest]
    #[case("grant_created", 2, "Enabled")]
    #[case("grant_suspended", 1, "Disabled")]
    #[case("proposal_submitted", 99, "proposal_submitted")]
    fn events_map_to_config_state_changes(
        #[case] name: &str,
        #[case] state: u64,
        #[case] caption: &str,
    ) {
        let e = event(
            &json!({"v": 1, "ts": "2026-12-04T20:18:22Z", "event": name}),
            "host",
        )
        .unwrap();
        assert_eq!(e["class_uid"], 5019);
        assert_eq!(e["type_uid"], 501_901);
        assert_eq!(e["state_id"], state);
        assert_eq!(e["state"], caption);
    }

    #[test]
    fn lines_that_are_not_records_are_skipped() {
        assert!(event(&json!({"hello": 1}), "h").is_none());
    }
}
