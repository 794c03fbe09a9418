"""The OpenAPI 3.1 description of /api/v1, written by hand next to the shapes it describes."""

from __future__ import annotations

from typing import Any

_STR = {"type": "string"}
_NSTR = {"type": ["string", "null"]}
_TIME = {"type": ["string", "null"], "format": "date-time"}
_DAY = {"type": ["string", "null"], "format": "date"}
_NUMBER = {
    "name": "number",
    "in": "path",
    "required": True,
    "description": "tracking number (or one of its legs' numbers)",
    "schema": _STR,
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_ERRORS = {
    "400": _json(_ref("Error"), "bad input (the reason is the CLI's)"),
    "401": _json(_ref("Error"), "log in or send a bearer token"),
}
_PARCEL_ERRORS = {**_ERRORS, "404": _json(_ref("Error"), "no parcel has this number")}
_WRITE_ERRORS = {
    "413": _json(_ref("Error"), "body too large"),
    "415": _json(_ref("Error"), "the body must be application/json"),
}

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {"error": {"type": "string", "description": "one-line reason"}},
    },
    "Destination": {
        "type": "object",
        "properties": {"country": _NSTR, "city": _NSTR, "postcode": _NSTR},
    },
    "ShipmentRecord": {
        "type": "object",
        "description": "`watcher list --json` item",
        "required": ["tracking_number", "status"],
        "properties": {
            "tracking_number": _STR,
            "label": _NSTR,
            "marketplace": _STR,
            "order_id": _NSTR,
            "ordered_at": _DAY,
            "protection_ends": _DAY,
            "max_delivery_days": {"type": ["integer", "null"]},
            "destination": _ref("Destination"),
            "providers": {"type": ["array", "null"], "items": _STR},
            "status": _STR,
            "substatus": _NSTR,
            "last_event_at": _TIME,
            "next_poll_at": _TIME,
            "received_at": _TIME,
            "not_received_at": _TIME,
            "archived_at": _TIME,
            "legs": {"type": "array", "items": _STR},
        },
    },
    "Event": {
        "type": "object",
        "properties": {
            "time": _TIME,
            "status": _STR,
            "substatus": _NSTR,
            "description": _STR,
            "location": _NSTR,
            "provider": _NSTR,
            "providers": {"type": "array", "items": _STR},
            "flags": {"type": "array", "items": _STR},
        },
    },
    "Shipment": {
        "description": "`watcher show --json`, plus the case",
        "allOf": [
            _ref("ShipmentRecord"),
            {
                "type": "object",
                "properties": {
                    "estimated_delivery": {
                        "type": ["object", "null"],
                        "properties": {"date": _STR, "source": _STR, "reported_at": _TIME},
                    },
                    "milestones": {"type": "object", "additionalProperties": _TIME},
                    "events": {"type": "array", "items": _ref("Event")},
                    "alerts": {"type": "array", "items": _ref("Alert")},
                    "case": _ref("Case"),
                },
            },
        ],
    },
    "NewShipment": {
        "type": "object",
        "required": ["tracking_number"],
        "properties": {
            "tracking_number": {"type": "string", "description": "a number or a tracking URL"},
            "label": _NSTR,
            "marketplace": _NSTR,
            "order_id": _NSTR,
            "ordered_at": _DAY,
            "protection_ends": {
                "type": ["string", "null"],
                "description": "YYYY-MM-DD, or days left: `12` or `12 days left`",
            },
            "max_delivery_days": {"type": ["integer", "null"], "minimum": 1},
            "destination": _ref("Destination"),
            "providers": {"type": ["array", "null"], "items": _STR},
            "insured": {"type": "boolean"},
        },
    },
    "ShipmentChanges": {
        "type": "object",
        "properties": {
            "label": _NSTR,
            "marketplace": _STR,
            "order_id": _NSTR,
            "ordered_at": _DAY,
            "protection_ends": _NSTR,
            "max_delivery_days": {"type": ["integer", "null"]},
            "insured": {"type": "boolean"},
            "destination": _ref("Destination"),
            "archived": {"type": "boolean", "description": "stop (true) or resume polling"},
        },
        "additionalProperties": False,
    },
    "Alert": {
        "type": "object",
        "description": "`watcher alerts --json` item",
        "properties": {
            "tracking_number": _STR,
            "kind": _STR,
            "action": _STR,
            "act_by": _DAY,
            "severity": {"type": "string", "enum": ["info", "warning", "critical"]},
            "message": _STR,
            "evidence": {"type": "array", "items": _STR},
            "opened_at": _TIME,
            "updated_at": _TIME,
            "resolved_at": _TIME,
        },
    },
    "CaseStep": {
        "type": "object",
        "properties": {
            "step": _STR,
            "at": _TIME,
            "until": _DAY,
            "by": _NSTR,
            "detail": _NSTR,
            "note": _NSTR,
            "recorded_at": _TIME,
            "undone_at": _TIME,
        },
    },
    "Case": {
        "type": "object",
        "description": "the buyer's case (`watcher case --json`)",
        "properties": {
            "tracking_number": _STR,
            "key": _NSTR,
            "position": _NSTR,
            "steps": {"type": "array", "items": _ref("CaseStep")},
        },
    },
    "NewCaseStep": {
        "type": "object",
        "required": ["step"],
        "properties": {
            "step": {"type": "string", "description": "seller-contacted, dispute-opened, ..."},
            "at": {"type": "string", "description": "ISO 8601; naive: the configured zone"},
            "until": _DAY,
            "note": _NSTR,
            "by": _NSTR,
            "detail": _NSTR,
            "force": {"type": "boolean"},
        },
    },
    "EvidenceEvent": {
        "type": "object",
        "description": "one merged timeline event with every provider's report of it",
        "required": ["time", "status", "description", "sources"],
        "properties": {
            "time": _TIME,
            "local_time": _NSTR,
            "status": _STR,
            "substatus": _NSTR,
            "description": _STR,
            "location": _NSTR,
            "country": _NSTR,
            "flags": {"type": "array", "items": _STR},
            "sources": {"type": "array", "items": {"type": "object"}},
        },
    },
    "Evidence": {
        "type": "object",
        "description": (
            "`watcher evidence` report, the JSON written next to the HTML: keys are added, "
            "never renamed (`version` changes when one changes meaning)"
        ),
        "required": [
            "report",
            "version",
            "generated_at",
            "timezone",
            "order",
            "dates",
            "current_alerts",
            "timeline",
            "raw_events",
            "case",
            "alerts",
            "notifications",
            "checklist",
        ],
        "properties": {
            "report": {"const": "watcher evidence"},
            "version": {"type": "integer"},
            "generated_at": _TIME,
            "timezone": _STR,
            "order": {
                "type": "object",
                "required": ["tracking_number", "status"],
                "properties": {
                    "tracking_number": _STR,
                    "order_id": _NSTR,
                    "ordered_at": _DAY,
                    "protection_ends": _DAY,
                    "destination": _ref("Destination"),
                    "legs": {"type": "array", "items": {"type": "object"}},
                    "status": _STR,
                },
            },
            "dates": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["what", "date", "source"],
                    "properties": {"what": _STR, "date": _DAY, "source": _STR},
                },
            },
            "current_alerts": {"type": "array", "items": {"type": "object"}},
            "timeline": {"type": "array", "items": _ref("EvidenceEvent")},
            "raw_events": {"type": "array", "items": {"type": "object"}},
            "case": {
                "type": "object",
                "properties": {
                    "id": {"type": ["integer", "null"]},
                    "steps": {"type": "array", "items": _ref("CaseStep")},
                },
            },
            "alerts": {"type": "array", "items": {"type": "object"}},
            "notifications": {"type": "array", "items": {"type": "object"}},
            "checklist": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["item", "why", "for", "held"],
                    "properties": {
                        "item": _STR,
                        "why": _STR,
                        "for": {"type": "array", "items": _STR},
                        "held": {"type": "boolean", "description": "watcher already holds it"},
                    },
                },
            },
        },
    },
    "Notification": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "target": _STR,
            "event": _STR,
            "severity": _STR,
            "title": _STR,
            "created_at": _TIME,
            "due_at": _TIME,
            "sent_at": _TIME,
            "failed_at": _TIME,
            "attempts": {"type": "integer"},
            "last_error": _NSTR,
            "digest": {"type": "boolean"},
            "state": {"type": "string", "enum": ["sent", "failed", "pending"]},
        },
    },
    "Status": {
        "type": "object",
        "description": "`watcher status --json`",
        "required": ["healthy"],
        "properties": {"healthy": {"type": "boolean"}, "problems": {"type": "array"}},
    },
}


def _op(summary: str, responses: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"summary": summary, "responses": responses, **extra}


def _body(name: str) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": _ref(name)}}}


def _query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


def openapi_document() -> dict[str, Any]:
    """The document served at /api/v1/openapi.json."""
    from watcher import __version__

    shipment = _json(_ref("Shipment"), "the parcel")
    case = _json(_ref("Case"), "the case")
    positive = {"type": "integer", "minimum": 1}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "watcher",
            "version": __version__,
            "description": "Parcels, alerts and the buyer's case; the shapes of the CLI's --json.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}, {"session": []}],
        "paths": {
            "/shipments": {
                "get": _op(
                    "watched parcels, oldest first",
                    {
                        "200": _json({"type": "array", "items": _ref("ShipmentRecord")}, "parcels"),
                        **_ERRORS,
                    },
                    parameters=[
                        _query("archived", "include archived parcels", {"type": "boolean"}),
                        _query("limit", "only the first N", positive),
                    ],
                ),
                "post": _op(
                    "start watching a parcel",
                    {
                        "201": shipment,
                        "409": _json(_ref("Error"), "already watched"),
                        **_ERRORS,
                        **_WRITE_ERRORS,
                    },
                    requestBody=_body("NewShipment"),
                ),
            },
            "/shipments/{number}": {
                "parameters": [_NUMBER],
                "get": _op(
                    "a parcel with its timeline, alerts and case",
                    {"200": shipment, **_PARCEL_ERRORS},
                ),
                "patch": _op(
                    "change a parcel's facts, or archive it",
                    {"200": shipment, **_PARCEL_ERRORS, **_WRITE_ERRORS},
                    requestBody=_body("ShipmentChanges"),
                ),
            },
            "/shipments/{number}/case": {
                "parameters": [_NUMBER],
                "get": _op("the parcel's case", {"200": case, **_PARCEL_ERRORS}),
            },
            "/shipments/{number}/case/steps": {
                "parameters": [_NUMBER],
                "post": _op(
                    "record a case step",
                    {"201": case, **_PARCEL_ERRORS, **_WRITE_ERRORS},
                    requestBody=_body("NewCaseStep"),
                ),
            },
            "/shipments/{number}/case/steps/{step}": {
                "parameters": [
                    _NUMBER,
                    {"name": "step", "in": "path", "required": True, "schema": _STR},
                ],
                "delete": _op("undo the latest such step", {"200": case, **_PARCEL_ERRORS}),
            },
            "/shipments/{number}/evidence": {
                "parameters": [_NUMBER],
                "get": _op(
                    "the evidence report a buyer attaches to a dispute (`watcher evidence`)",
                    {"200": _json(_ref("Evidence"), "the report"), **_PARCEL_ERRORS},
                ),
            },
            "/alerts": {
                "get": _op(
                    "open alerts and those resolved recently",
                    {"200": _json({"type": "array", "items": _ref("Alert")}, "alerts"), **_ERRORS},
                    parameters=[_query("days", "resolved in the last N days (14)", positive)],
                ),
            },
            "/notifications": {
                "get": _op(
                    "recent notification deliveries and failures",
                    {
                        "200": _json(
                            {"type": "array", "items": _ref("Notification")}, "newest first"
                        ),
                        **_ERRORS,
                    },
                    parameters=[_query("limit", "how many (30)", positive)],
                ),
            },
            "/status": {
                "get": _op(
                    "the daemon's health", {"200": _json(_ref("Status"), "health"), **_ERRORS}
                ),
            },
        },
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "watcher_session"},
            },
        },
    }
