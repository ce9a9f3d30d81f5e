//! The OpenAPI 3.1 document of `/api/v1`, written by hand from the route
//! table ([`super::ROUTES`]): every route appears with its scope, body and
//! answer, and the main shapes have schemas. A test checks the document and
//! the router list the same routes.

use super::ROUTES;
use serde_json::{Map, Value, json};

fn op(method: &str, path: &str) -> Value {
    let read = json!([{ "bearer": ["read"] }]);
    let write = json!([{ "bearer": ["write"] }]);
    let r = |s: &str| json!({ "$ref": format!("#/components/schemas/{s}") });
    let body = |s: &str| json!({ "required": true, "content": { "application/json": { "schema": r(s) } } });
    let ok = |code: &str, desc: &str, schema: Value| json!({ code: { "description": desc, "content": { "application/json": { "schema": schema } } } });
    let (summary, security, request, responses) = match (method, path) {
        ("get", "/me") => (
            "The caller's account and token scopes",
            read,
            None,
            ok("200", "The caller", r("Me")),
        ),
        ("get", "/cases") => (
            "Cases the caller owns or has been shared",
            read,
            None,
            ok(
                "200",
                "Case summaries",
                json!({ "type": "array", "items": r("CaseSummary") }),
            ),
        ),
        ("post", "/cases") => (
            "Open a case owned by the caller",
            write,
            Some(body("OpenCase")),
            ok("201", "The new case", r("CaseView")),
        ),
        ("get", "/cases/{id}") => (
            "A case, as `palisade timeline --json` prints it (audited)",
            read,
            None,
            ok("200", "The case", r("CaseView")),
        ),
        ("post", "/cases/{id}/entries") => (
            "Log a contact",
            write,
            Some(body("LogEntry")),
            ok(
                "201",
                "Receipt, with the triage of the words",
                r("RecordReceipt"),
            ),
        ),
        ("post", "/cases/{id}/actions") => (
            "Record an action",
            write,
            Some(body("NewAction")),
            ok("201", "Receipt", r("RecordReceipt")),
        ),
        ("post", "/entries/{eid}/corrections") => (
            "Correct an entry (the original stays in its history)",
            write,
            Some(body("Correction")),
            ok("201", "Receipt", r("Receipt")),
        ),
        ("post", "/entries/{eid}/retraction") => (
            "Retract an entry",
            write,
            Some(body("Retraction")),
            ok("201", "Receipt", r("Receipt")),
        ),
        ("get", "/cases/{id}/next") => (
            "Steps, deadlines and risk, as `palisade next --json`",
            read,
            None,
            ok("200", "Advice", r("Advice")),
        ),
        ("get", "/cases/{id}/audit") => (
            "The case's audit trail (owner only)",
            read,
            None,
            ok(
                "200",
                "Audit rows, oldest first",
                json!({ "type": "array", "items": r("AuditEntry") }),
            ),
        ),
        ("post", "/cases/{id}/shares") => (
            "Share the case with a clinician, manager or administrator (owner only)",
            write,
            Some(body("Share")),
            ok("201", "Shared", json!({ "type": "object" })),
        ),
        ("delete", "/cases/{id}/shares/{uid}") => (
            "Revoke a share (owner only); effective on the next request",
            write,
            None,
            ok("200", "Revoked", json!({ "type": "object" })),
        ),
        ("post", "/cases/{id}/flags") => (
            "Publish a flag for colleagues",
            write,
            Some(body("Flag")),
            ok("201", "The flag's id", json!({ "type": "object" })),
        ),
        ("get", "/flags") => (
            "Every published flag",
            read,
            None,
            ok(
                "200",
                "Flags",
                json!({ "type": "array", "items": r("PublishedFlag") }),
            ),
        ),
        ("post", "/search") => (
            "Search the caller's cases (audited per case hit)",
            read,
            Some(body("Search")),
            ok(
                "200",
                "Hits grouped by case",
                json!({ "type": "array", "items": r("CaseHits") }),
            ),
        ),
        ("get", "/openapi.json") => (
            "This document",
            json!([]),
            None,
            ok("200", "OpenAPI 3.1", json!({ "type": "object" })),
        ),
        _ => ("Undocumented", read, None, ok("200", "OK", json!({}))),
    };
    let mut responses = responses;
    if let Value::Object(o) = &mut responses {
        for (code, desc) in [
            (
                "400",
                "The body or a field is wrong; the message says which",
            ),
            ("401", "No token, or an unknown or revoked one"),
            ("403", "The token's scope does not allow this"),
            (
                "404",
                "No such case, or not one the caller may reach (the two answer alike)",
            ),
        ] {
            o.insert(code.into(), json!({ "description": desc, "content": { "application/json": { "schema": r("Error") } } }));
        }
    }
    let params: Vec<Value> = path
        .split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }))
        .collect();
    let mut o = json!({
        "summary": summary,
        "operationId": format!("{method}{}", path.replace(['/', '{', '}', '.'], "_")),
        "security": security,
        "responses": responses,
    });
    if let Value::Object(m) = &mut o {
        if let Some(b) = request {
            m.insert("requestBody".into(), b);
        }
        if !params.is_empty() {
            m.insert("parameters".into(), Value::Array(params));
        }
    }
    o
}

fn schemas() -> Value {
    let s = |t: &str| json!({ "type": t });
    let opt = |t: &str| json!({ "type": [t, "null"] });
    let strings = json!({ "type": "array", "items": { "type": "string" } });
    json!({
        "Error": { "type": "object", "required": ["error"], "properties": { "error": s("string") } },
        "Me": { "type": "object", "properties": { "id": s("string"), "username": s("string"), "display_name": s("string"),
            "role": { "enum": ["admin", "clinician", "manager", "colleague"] }, "scopes": strings, "token_id": s("string") } },
        "CaseSummary": { "type": "object", "required": ["id", "title", "status"], "properties": {
            "id": s("string"), "title": s("string"), "subject": s("string"), "kind": s("string"), "status": s("string"),
            "opened_at": s("string"), "entries": s("integer"), "actions": s("integer"), "last_contact": opt("string") } },
        "Attachment": { "type": "object", "properties": { "id": s("string"), "leaf_index": s("integer"), "sha256": s("string"),
            "size": s("integer"), "media_type": s("string"), "name": s("string") } },
        "Entry": { "type": "object", "properties": {
            "id": s("string"), "leaf_index": s("integer"), "occurred_at": s("string"), "recorded_at": s("string"),
            "channel": s("string"), "direction": opt("string"), "party": opt("string"), "place": opt("string"),
            "witnesses": strings, "summary": opt("string"), "content": opt("string"), "clinical": opt("string"),
            "source": s("object"), "attachments": { "type": "array", "items": { "$ref": "#/components/schemas/Attachment" } },
            "acknowledgements": s("array"), "triage": s("object"),
            "state": { "enum": ["original", "corrected", "retracted"] }, "history": s("array"), "original": s("object") } },
        "CaseView": { "type": "object", "required": ["id", "title", "entries"], "properties": {
            "id": s("string"), "leaf_index": s("integer"), "title": s("string"), "subject": s("string"), "kind": s("string"),
            "status": s("string"), "owner": opt("string"), "parties": s("array"), "opened_at": s("string"),
            "closed_at": opt("string"), "close_reason": opt("string"),
            "entries": { "type": "array", "items": { "$ref": "#/components/schemas/Entry" } },
            "actions": s("array"), "imports": s("array"), "disclosures": s("array"), "assessments": s("array"),
            "shares": s("array"), "flags": s("array"), "exhibits": s("array"), "records": s("integer") } },
        "OpenCase": { "type": "object", "required": ["title", "subject", "kind"], "additionalProperties": false, "properties": {
            "title": s("string"), "subject": s("string"),
            "kind": { "enum": ["amorous", "grievance", "abuse", "stalking", "other"] },
            "parties": { "type": "array", "items": { "type": "string", "description": "NAME or ROLE:NAME" } } } },
        "LogEntry": { "type": "object", "required": ["occurred_at", "channel"], "additionalProperties": false, "properties": {
            "occurred_at": { "type": "string", "format": "date-time", "description": "RFC 3339 with offset" },
            "channel": s("string"), "direction": { "enum": ["inbound", "outbound"] }, "party": s("string"), "place": s("string"),
            "witnesses": strings, "summary": s("string"), "content": s("string"), "clinical": s("string"),
            "attachments": { "type": "array", "items": { "type": "object", "required": ["name", "data_base64"], "additionalProperties": false,
                "properties": { "name": s("string"), "data_base64": { "type": "string", "contentEncoding": "base64" } } } } } },
        "NewAction": { "type": "object", "required": ["kind", "date"], "properties": {
            "kind": s("string"), "date": { "type": "string", "description": "YYYY-MM-DD or RFC 3339" },
            "by": s("string"), "reference": s("string"), "notes": s("string"), "mode": { "enum": ["standard", "immediate"] } } },
        "Correction": { "type": "object", "required": ["reason"], "additionalProperties": false, "properties": {
            "reason": s("string"), "occurred_at": s("string"), "channel": s("string"), "direction": s("string"),
            "party": s("string"), "place": s("string"), "witnesses": strings, "summary": s("string"),
            "content": s("string"), "clinical": s("string") } },
        "Retraction": { "type": "object", "required": ["reason"], "properties": { "reason": s("string") } },
        "Receipt": { "type": "object", "properties": { "id": s("string"), "leaf_index": s("integer"), "recorded_at": s("string"), "tree_size": s("integer") } },
        "RecordReceipt": { "type": "object", "properties": { "id": s("string"), "leaf_index": s("integer"), "recorded_at": s("string"),
            "tree_size": s("integer"), "attachments": { "type": "array", "items": { "$ref": "#/components/schemas/Attachment" } }, "triage": s("object") } },
        "Advice": { "type": "object", "properties": { "steps": s("array"), "deadlines": s("array"), "risk": s("object"), "indicators": s("object") } },
        "AuditEntry": { "type": "object", "properties": { "seq": s("integer"), "at": s("string"), "actor_id": opt("string"),
            "actor_name": opt("string"), "action": s("string"), "case_id": opt("string"), "target": opt("string"),
            "detail": opt("string"), "client": opt("string") } },
        "Share": { "type": "object", "required": ["user"], "properties": { "user": { "type": "string", "description": "usr_… id" }, "reason": s("string") } },
        "Flag": { "type": "object", "required": ["patient", "text"], "properties": { "patient": s("string"), "text": s("string") } },
        "PublishedFlag": { "type": "object", "properties": { "case_id": s("string"), "flag_id": s("string"), "leaf_index": s("integer"),
            "patient": s("string"), "text": s("string"), "by": s("string"), "published_at": s("string") } },
        "Search": { "type": "object", "required": ["q"], "properties": { "q": s("string") } },
        "CaseHits": { "type": "object", "properties": { "case_id": s("string"), "title": s("string"), "hits": s("integer"),
            "snippets": { "type": "array", "items": { "type": "object", "properties": { "field": s("string"), "entry": opt("string"),
                "before": s("string"), "matched": s("string"), "after": s("string") } } } } }
    })
}

/// The whole document.
pub fn document() -> Value {
    let mut paths: Map<String, Value> = Map::new();
    for (method, path, _) in ROUTES {
        let m = method.to_ascii_lowercase();
        let entry = paths
            .entry((*path).to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(o) = entry {
            o.insert(m.clone(), op(&m, path));
        }
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Palisade API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Records of unwanted contact, for doctors and practices. Authenticate with `Authorization: Bearer pal_…` (a token from Account, API tokens; scope `read` or `write`). A case the token's user may not reach answers 404, like one that does not exist. Errors are `{\"error\": \"…\"}`."
        },
        "servers": [{ "url": "/api/v1" }],
        "paths": paths,
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer", "description": "pal_… API token" } },
            "schemas": schemas()
        }
    })
}
