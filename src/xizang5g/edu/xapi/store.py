"""The learning record store's writes and reads (statements, attachments, documents).

Everything here works for one :class:`Caller` (the credential the request authenticated with):
a school's credential writes statements of its school and reads only those; the education
department's (no school) reads all.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import re
import secrets
import time
import uuid as uuidlib
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core import signing
from django.core.files.base import ContentFile
from django.db import connections, transaction
from django.db.models import Q
from django.utils import timezone

from xizang5g.edu.models import (
    ActivityDefinition,
    Attachment,
    Document,
    LrsCredential,
    Statement,
    StatementIndex,
)
from xizang5g.edu.xapi import validate
from xizang5g.edu.xapi.validate import Invalid

try:  # orjson (C) parses and writes statements several times faster than the json module
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency
    orjson = None

VOIDED = "http://adlnet.gov/expapi/verbs/voided"
SIGNATURE = "http://adlnet.gov/expapi/attachments/signature"
MAX_LIMIT = 500
AUTHORITY_HOME = "https://xapi.xizang5g.cn"
IFI_KEYS = ("mbox", "mbox_sha1sum", "openid", "account")


class Conflict(Exception):
    """A statement id already stored with other content (409)."""


class NotFound(Exception):
    """No such statement or document for this caller (404)."""


class PreconditionFailed(Exception):
    """An If-Match / If-None-Match condition that does not hold (412)."""


class PreconditionRequired(Exception):
    """A write to an existing document without If-Match/If-None-Match (409)."""


class ConditionMissing(Exception):
    """A PUT of a new profile document without If-Match/If-None-Match (400 in xAPI 1.0.3)."""


@dataclass(frozen=True)
class Caller:
    credential: LrsCredential

    @property
    def school_id(self) -> int | None:
        return self.credential.school_id

    def authority(self) -> dict:
        return {
            "objectType": "Agent",
            "name": self.credential.name,
            "account": {"homePage": AUTHORITY_HOME, "name": self.credential.key},
        }


# --- JSON ---------------------------------------------------------------------------------------


def json_loads(data: bytes | str):
    """Parse JSON with orjson; what orjson refuses but the json module accepts (integers beyond
    64 bits, lone surrogates) is left to the json module, so the accepted language is the same."""
    if orjson is not None:
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
    return json.loads(data)


def json_dumps(value) -> str:
    """JSON text of a value (orjson; the json module for what orjson cannot write)."""
    if orjson is not None:
        try:
            return orjson.dumps(value).decode()
        except TypeError:
            pass
    return json.dumps(value, ensure_ascii=False)


def json_bytes(value) -> bytes:
    if orjson is not None:
        try:
            return orjson.dumps(value)
        except TypeError:
            pass
    return json.dumps(value, ensure_ascii=False).encode()


# --- credentials ------------------------------------------------------------------------------


def secret_hash(secret: str) -> str:
    """SHA-256 of a secret: secrets are 256-bit random tokens, so a slow hash adds nothing but
    latency to every request."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_key_and_secret() -> tuple[str, str]:
    return secrets.token_hex(10), secrets.token_hex(32)  # hex: safe on any command line


AUTH_CACHE_SECONDS = 30.0
"""How long a process trusts a verified key and secret without reading the credential again: a
deactivated or deleted credential is refused by every process after at most this long (at once
by the process that changed it)."""
_AUTH_CACHE_SIZE = 1024
_auth_cache: dict[str, tuple[float, str, LrsCredential]] = {}


def authenticate(key: str, secret: str) -> LrsCredential | None:
    """The active credential of a key and secret, or None.

    A verified pair is kept for :data:`AUTH_CACHE_SECONDS` in this process, found by the key
    and checked again on every request by comparing the SHA-256 of the secret with the stored
    one in constant time (as against the database); a wrong secret is never cached."""
    digest = secret_hash(secret)
    hit = _auth_cache.get(key)
    if hit is not None:
        expires, known, credential = hit
        if expires > time.monotonic() and hmac.compare_digest(known, digest):
            return credential
    credential = LrsCredential.objects.filter(key=key, active=True).select_related("school").first()
    if credential is None:
        _auth_cache.pop(key, None)
        return None
    if not hmac.compare_digest(credential.secret_hash, digest):
        return None
    if len(_auth_cache) >= _AUTH_CACHE_SIZE:
        _auth_cache.clear()
    _auth_cache[key] = (time.monotonic() + AUTH_CACHE_SECONDS, credential.secret_hash, credential)
    return credential


def authentication_forget(key: str | None = None) -> None:
    """Forget the verified credentials (of one key, or all): called when a credential changes."""
    if key is None:
        _auth_cache.clear()
    else:
        _auth_cache.pop(key, None)


def credential_changed(sender, instance: LrsCredential, **kwargs) -> None:
    authentication_forget(instance.key)


def credential_deleting(sender, instance: LrsCredential, **kwargs) -> None:
    """Before a credential goes (its statements' ``credential_id`` becomes NULL), give each of
    its statements an index row for its authority, so that ``related_agents`` still finds them
    by the authority (which is otherwise found through ``credential_id``)."""
    authority = agent_key(Caller(instance).authority())[:512]
    with connections[Statement.objects.db].cursor() as cursor:
        cursor.execute(
            "INSERT INTO edu_statementindex (statement_id, kind, value, direct) "
            "SELECT statement_id, %s, %s, %s FROM edu_statement WHERE credential_id = %s",
            ["agent", authority, False, instance.pk],
        )


# --- identifiers ------------------------------------------------------------------------------


def agent_key(value: dict) -> str:
    """The inverse functional identifier of an Agent or identified Group, as one string."""
    if "mbox" in value:
        return "mbox:" + value["mbox"].lower()
    if "mbox_sha1sum" in value:
        return "sha1:" + value["mbox_sha1sum"].lower()
    if "openid" in value:
        return "openid:" + value["openid"]
    if "account" in value:
        return "account:" + value["account"]["homePage"] + "|" + value["account"]["name"]
    return ""


def _agents_of(value: dict) -> list[str]:
    keys = [agent_key(value)]
    for member in value.get("member", []) or []:
        keys.append(agent_key(member))
    return [k for k in keys if k]


def index_rows(stmt: dict) -> list[tuple[str, str, bool]]:
    """(kind, value, direct) of the agents and activities a statement mentions, besides its
    authority (always the credential's agent: found through ``credential_id``)."""
    rows: set[tuple[str, str, bool]] = set()

    def agents(value, direct):
        if isinstance(value, dict):
            keys = _agents_of(value)
            for number, key in enumerate(keys):
                rows.add(("agent", key, direct and (number == 0 or not agent_key(value))))

    def activities(ctx: dict | None):
        if not isinstance(ctx, dict):
            return
        for items in (ctx.get("contextActivities") or {}).values():
            for item in items if isinstance(items, list) else [items]:
                rows.add(("activity", item["id"], False))
        agents(ctx.get("instructor"), False)
        agents(ctx.get("team"), False)
        for item in ctx.get("contextAgents") or []:
            agents(item.get("agent"), False)
        for item in ctx.get("contextGroups") or []:
            agents(item.get("group"), False)

    agents(stmt["actor"], True)
    obj = stmt["object"]
    kind = obj.get("objectType", "Activity")
    if kind == "Activity":
        rows.add(("activity", obj["id"], True))
    elif kind in ("Agent", "Group"):
        agents(obj, True)
    elif kind == "SubStatement":
        agents(obj["actor"], False)
        sub = obj["object"]
        sub_kind = sub.get("objectType", "Activity")
        if sub_kind == "Activity":
            rows.add(("activity", sub["id"], False))
        elif sub_kind in ("Agent", "Group"):
            agents(sub, False)
        activities(obj.get("context"))
    activities(stmt.get("context"))
    # a value that is direct is also related: keep one row, direct wins
    best: dict[tuple[str, str], bool] = {}
    for kind_, value, direct in rows:
        best[(kind_, value)] = best.get((kind_, value), False) or direct
    return [(k, v, d) for (k, v), d in best.items()]


def extra_index_rows(stmt: dict, *, actor: str, activity: str) -> list[tuple[str, str, bool]]:
    """The index rows a statement needs beyond its own columns: its actor (``actor``) and its
    object Activity (``activity``) are direct matches found through the statement's indexed
    columns, so they need no row; nor does the authority (``credential_id``). A typical
    statement (an Agent did something to an Activity, no context agents or activities) needs
    none."""
    covered = {("agent", actor), ("activity", activity)}
    return [
        (kind, value[:512], direct)
        for kind, value, direct in index_rows(stmt)
        if not (direct and (kind, value[:512]) in covered)
    ]


def format_time(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


# --- statements: writes -----------------------------------------------------------------------


def _comparable(stmt: dict) -> str:
    data = {k: v for k, v in stmt.items() if k not in ("stored", "authority", "version", "id")}
    if "timestamp" in data:
        with contextlib.suppress(Invalid):
            data["timestamp"] = validate.timestamp(data["timestamp"], "t").timestamp()
    return json.dumps(_lower_ifis(data), sort_keys=True)


def _duration_hundredths(text: str) -> str:
    """A duration with its seconds cut to hundredths (xAPI 2.0 §4.2.7: finer precision is not
    compared)."""
    return re.sub(r"(\d+)\.(\d{1,2})\d*S$", r"\1.\2S", text)


def _lower_ifis(value):
    if isinstance(value, dict):
        out = {k: _lower_ifis(v) for k, v in value.items()}
        if isinstance(out.get("duration"), str):
            out["duration"] = _duration_hundredths(out["duration"])
        return out
    if isinstance(value, list):
        return [_lower_ifis(v) for v in value]
    return value


def statements_store(
    *,
    statements: list[dict],
    caller: Caller,
    version: str,
    attachments: dict[str, tuple[str, bytes]] | None = None,
    stored_at: datetime | None = None,
) -> list[str]:
    """Validate and store statements (all or none); returns their ids in order.

    The caller's dicts are not changed. Raises :class:`Invalid` (400) and :class:`Conflict`
    (409)."""
    attachments = attachments or {}
    now = stored_at or timezone.now()  # stored_at: history loaded by the demo
    now = now.replace(microsecond=(now.microsecond // 1000) * 1000)
    prepared = []
    seen: set[str] = set()
    for index, raw in enumerate(statements):
        validate.statement(raw, version=version)
        stmt = _normalised(raw)
        if "id" in stmt:
            stmt["id"] = stmt["id"].lower()
        else:
            stmt["id"] = str(uuidlib.uuid4())
        if stmt["id"] in seen:
            raise Invalid(f"statement[{index}].id: the batch holds this id twice")
        seen.add(stmt["id"])
        prepared.append(stmt)
    existing = _stored_payloads([s["id"] for s in prepared])
    _check_attachments(prepared, attachments)
    voids = {}
    for stmt in prepared:
        if stmt["verb"]["id"] == VOIDED:
            if stmt["object"].get("objectType") != "StatementRef":
                raise Invalid("statement.object: a voiding statement must target a StatementRef")
            voids[stmt["id"]] = stmt["object"]["id"].lower()
    if voids:
        targets = Statement.objects.filter(statement_id__in=list(voids.values())).only("payload")
        for target in targets:
            if target.payload["verb"]["id"] == VOIDED:
                raise Invalid("statement.object: a voiding statement cannot be voided")
    stored = format_time(now)
    authority = caller.authority()
    default_version = "2.0.0" if version.startswith("2") else "1.0.0"
    rows, index, fresh = [], [], []
    for stmt in prepared:
        old = existing.get(stmt["id"])
        if old is not None:
            incoming = stmt if "timestamp" in stmt else {**stmt, "timestamp": old["timestamp"]}
            if _comparable(old) != _comparable(incoming):
                raise Conflict(f"statement {stmt['id']} is already stored with other content")
            continue
        stmt["stored"] = stored
        stmt["authority"] = authority
        if "timestamp" in stmt:
            moment = validate.timestamp(stmt["timestamp"], "timestamp")
        else:
            stmt["timestamp"], moment = stored, now
        stmt["version"] = stmt.get("version") or default_version
        obj = stmt["object"]
        kind = obj.get("objectType", "Activity")
        registration = (stmt.get("context") or {}).get("registration")
        actor = agent_key(stmt["actor"])[:512]
        activity = obj["id"][:512] if kind == "Activity" else ""
        rows.append(
            StatementRow(
                statement_id=stmt["id"],
                stored=now,
                timestamp=moment,
                verb=stmt["verb"]["id"][:512],
                actor=actor,
                activity=activity,
                registration=registration.lower() if registration else None,
                voids=voids.get(stmt["id"]),
                refs=obj["id"].lower() if kind == "StatementRef" else None,
                payload=stmt,
                attachment_hashes=[a["sha2"] for a in stmt.get("attachments", [])],
            )
        )
        index.extend(
            (stmt["id"], k, v, d)
            for k, v, d in extra_index_rows(stmt, actor=actor, activity=activity)
        )
        fresh.append(stmt)
    with transaction.atomic():
        if rows:
            _insert(rows, index, caller)
        if voids:
            Statement.objects.filter(
                statement_id__in=[v for k, v in voids.items() if k not in existing]
            ).exclude(verb=VOIDED).update(voided=True)
        _definitions_update(fresh)
        _attachments_save(attachments)
    return [s["id"] for s in prepared]


def _stored_payloads(ids: list[str]) -> dict[str, dict]:
    """The statements already stored under these ids (any school's: ids are global), as
    {id: statement}. On PostgreSQL one array parameter, not an IN list of a hundred (a tenth
    of the time, in Python and in the planner)."""
    connection = connections[Statement.objects.db]
    if connection.vendor != "postgresql":
        return {
            str(row.statement_id): row.payload
            for row in Statement.objects.filter(statement_id__in=ids).only("payload")
        }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement_id::text, payload::text FROM edu_statement"
            " WHERE statement_id = ANY(%s::uuid[])",
            ["{" + ",".join(ids) + "}"],  # ids are checked UUIDs
        )
        return {sid: json_loads(payload) for sid, payload in cursor.fetchall()}


@dataclass(slots=True)
class StatementRow:
    """The columns of one new statement (``payload`` as a dict)."""

    statement_id: str
    stored: datetime
    timestamp: datetime
    verb: str
    actor: str
    activity: str
    registration: str | None
    voids: str | None
    refs: str | None
    payload: dict
    attachment_hashes: list[str]


_STATEMENT_COLUMNS = (
    'statement_id, stored, "timestamp", verb, actor, activity, registration, voided, voids, '
    "refs, school_id, credential_id, payload, attachment_hashes"
)


def _insert(rows: list[StatementRow], index: list[tuple], caller: Caller) -> None:
    """Insert new statements and their index rows: with COPY on PostgreSQL (one round trip,
    no ORM objects), ``bulk_create`` elsewhere. Inside the caller's transaction."""
    school_id, credential_id = caller.school_id, caller.credential.pk
    connection = connections[Statement.objects.db]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            with cursor.copy(f"COPY edu_statement ({_STATEMENT_COLUMNS}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(
                        (
                            row.statement_id,
                            row.stored,
                            row.timestamp,
                            row.verb,
                            row.actor,
                            row.activity,
                            row.registration,
                            False,
                            row.voids,
                            row.refs,
                            school_id,
                            credential_id,
                            json_dumps(row.payload),
                            json_dumps(row.attachment_hashes),
                        )
                    )
            if index:
                with cursor.copy(
                    "COPY edu_statementindex (statement_id, kind, value, direct) FROM STDIN"
                ) as copy:
                    for item in index:
                        copy.write_row(item)
        return
    Statement.objects.bulk_create(
        [
            Statement(
                statement_id=row.statement_id,
                stored=row.stored,
                timestamp=row.timestamp,
                verb=row.verb,
                actor=row.actor,
                activity=row.activity,
                registration=row.registration,
                voids=row.voids,
                refs=row.refs,
                school_id=school_id,
                credential_id=credential_id,
                payload=row.payload,
                attachment_hashes=row.attachment_hashes,
            )
            for row in rows
        ],
        batch_size=500,
    )
    StatementIndex.objects.bulk_create(
        [StatementIndex(statement_id=s, kind=k, value=v, direct=d) for s, k, v, d in index],
        batch_size=1000,
    )


def _normalised(raw: dict) -> dict:
    """A copy of a statement, as far as storing changes it: context activities are always
    arrays once stored (xAPI Data 2.4.6.2). Nested values are shared, never changed."""
    stmt = dict(raw)
    ctx = stmt.get("context")
    if isinstance(ctx, dict) and isinstance(ctx.get("contextActivities"), dict):
        stmt["context"] = _context_arrays(ctx)
    obj = stmt["object"]
    if obj.get("objectType") == "SubStatement":
        sub_ctx = obj.get("context")
        if isinstance(sub_ctx, dict) and isinstance(sub_ctx.get("contextActivities"), dict):
            stmt["object"] = {**obj, "context": _context_arrays(sub_ctx)}
    return stmt


def _context_arrays(ctx: dict) -> dict:
    return {
        **ctx,
        "contextActivities": {
            key: value if isinstance(value, list) else [value]
            for key, value in ctx["contextActivities"].items()
        },
    }


def _merge_definition(old: dict, new: dict) -> dict:
    merged = dict(old)
    for key, value in new.items():
        if key in ("name", "description") and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def _definitions_update(statements: list[dict]) -> None:
    """Merge the activity definitions a batch sends into the canonical ones: one query reads
    them all, new ones are inserted together, changed ones updated."""
    found: dict[str, dict] = {}
    for stmt in statements:
        obj = stmt["object"]
        if obj.get("objectType", "Activity") == "Activity" and obj.get("definition"):
            found[obj["id"]] = _merge_definition(found.get(obj["id"], {}), obj["definition"])
    if not found:
        return
    known = {
        row.activity_id: row
        for row in ActivityDefinition.objects.filter(activity_id__in=list(found))
        .order_by("activity_id")
        .select_for_update()
    }
    missing = [
        ActivityDefinition(activity_id=key, definition=value)
        for key, value in found.items()
        if key not in known
    ]
    if missing:
        ActivityDefinition.objects.bulk_create(missing, ignore_conflicts=True)
        # another request may have created some meanwhile: merge into those
        raced = (
            ActivityDefinition.objects.filter(activity_id__in=[row.activity_id for row in missing])
            .order_by("activity_id")
            .select_for_update()
        )
        for row in raced:
            if row.definition != found[row.activity_id]:
                known[row.activity_id] = row
    changed = []
    for activity_id, row in known.items():
        merged = _merge_definition(row.definition, found[activity_id])
        if merged != row.definition:
            row.definition = merged
            changed.append(row)
    if changed:
        ActivityDefinition.objects.bulk_update(changed, ["definition"])


def _check_attachments(statements: list[dict], parts: dict[str, tuple[str, bytes]]) -> None:
    declared: set[str] = set()
    for stmt in statements:
        for number, item in enumerate(stmt.get("attachments", [])):
            declared.add(item["sha2"])
            if "fileUrl" not in item and item["sha2"] not in parts:
                raise Invalid(
                    f"statement.attachments[{number}]: no part with the hash {item['sha2']}"
                )
            if item["usageType"] == SIGNATURE:
                if item["contentType"] != "application/octet-stream":
                    raise Invalid(
                        "statement.attachments: a signature's contentType must be "
                        "application/octet-stream"
                    )
                if item["sha2"] in parts:
                    _check_signature(stmt, parts[item["sha2"]][1])
    for sha2 in parts:
        if sha2 not in declared:
            raise Invalid(f"attachment part {sha2}: no statement declares it")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _check_signature(stmt: dict, data: bytes) -> None:
    try:
        header_b64, payload_b64, _signature = data.decode("ascii").strip().split(".")
        header = json.loads(_b64decode(header_b64))
        payload = json.loads(_b64decode(payload_b64))
    except (ValueError, UnicodeDecodeError) as error:
        raise Invalid("statement signature: not a JWS in compact serialization") from error
    if not isinstance(header, dict) or header.get("alg") not in ("RS256", "RS384", "RS512"):
        raise Invalid("statement signature: the JWS algorithm must be RS256, RS384 or RS512")
    if not isinstance(payload, dict):
        raise Invalid("statement signature: the JWS payload must be a statement")
    ours = {k: v for k, v in stmt.items() if k not in ("attachments", "id", "authority", "stored")}
    theirs = {
        k: v for k, v in payload.items() if k not in ("attachments", "id", "authority", "stored")
    }
    if _comparable(ours) != _comparable(theirs):
        raise Invalid("statement signature: the signed statement differs from the statement")


def _attachments_save(parts: dict[str, tuple[str, bytes]]) -> None:
    for sha2, (content_type, data) in parts.items():
        if Attachment.objects.filter(sha2=sha2).exists():
            continue
        row = Attachment(sha2=sha2, content_type=content_type, length=len(data))
        row.file.save("attachment.bin", ContentFile(data), save=False)
        row.save()


# --- statements: reads ------------------------------------------------------------------------


def _visible(caller: Caller):
    rows = Statement.objects.all()
    if caller.school_id is not None:
        rows = rows.filter(school_id=caller.school_id)
    return rows


def statement_get(*, caller: Caller, statement_id: str, voided: bool) -> Statement:
    row = _visible(caller).filter(statement_id=statement_id.lower()).first()
    if row is None or row.voided != voided:
        raise NotFound(statement_id)
    return row


def _indexed(kind: str, value: str, related: bool):
    rows = StatementIndex.objects.filter(kind=kind, value=value)
    if not related:
        rows = rows.filter(direct=True)
    return rows.values("statement_id")


def _authority_credentials(agent: str):
    """Credentials whose authority is this agent key (``account:<AUTHORITY_HOME>|<key>``)."""
    prefix = f"account:{AUTHORITY_HOME}|"
    if not agent.startswith(prefix):
        return None
    return LrsCredential.objects.filter(key=agent[len(prefix) :]).values("pk")


def _alternatives(params: dict) -> list[Q]:
    """The filters of a query as a union of conjunctions, each of which one index serves.

    A statement matches ``agent`` through its actor column, or through an index row (an agent
    elsewhere in it), or (``related_agents``) through its credential when the agent is an
    authority of this LRS; ``activity`` through its object column or an index row. An OR of
    those in one WHERE would defeat the indexes, so each combination is its own query."""
    common = Q()
    if "verb" in params:
        common &= Q(verb=params["verb"][:512])
    if "registration" in params:
        common &= Q(registration=params["registration"])
    agent_ways, activity_ways = [Q()], [Q()]
    if "agent" in params:
        agent = params["agent"][:512]
        related = params.get("related_agents", False)
        agent_ways = [
            Q(actor=agent),
            Q(statement_id__in=_indexed("agent", agent, related)),
        ]
        credentials = _authority_credentials(agent) if related else None
        if credentials is not None:
            agent_ways.append(Q(credential_id__in=credentials))
    if "activity" in params:
        activity = params["activity"][:512]
        related = params.get("related_activities", False)
        activity_ways = [
            Q(activity=activity),
            Q(statement_id__in=_indexed("activity", activity, related)),
        ]
    return [common & a & b for a in agent_ways for b in activity_ways]


def statements_query(*, caller: Caller, params: dict, after: tuple | None = None):
    """(rows, has_more) for the filters of GET /statements (already validated)."""
    rows = _visible(caller).filter(voided=False)
    window = Q()
    if "since" in params:
        window &= Q(stored__gt=params["since"])
    if "until" in params:
        window &= Q(stored__lte=params["until"])
    ascending = params.get("ascending", False)
    if after is not None:
        stored, pk = after
        stored = datetime.fromisoformat(stored)
        if ascending:
            window &= Q(stored__gt=stored) | Q(stored=stored, id__gt=pk)
        else:
            window &= Q(stored__lt=stored) | Q(stored=stored, id__lt=pk)
    order = ("stored", "id") if ascending else ("-stored", "-id")
    limit = min(params.get("limit") or MAX_LIMIT, MAX_LIMIT)
    alternatives = _alternatives(params)
    if alternatives == [Q()]:
        found = list(rows.filter(window).order_by(*order)[: limit + 1])
        return found[:limit], len(found) > limit
    parts = [rows.filter(match & window) for match in alternatives]
    # Statements referring to a matching statement match too (xAPI "filter conditions met by
    # the target"), up to two levels: first the (few) statements that refer to a match at all,
    # whatever their time; only when there are some, the ones in the window.
    level1: set = set()
    for match in alternatives:
        targets = _visible(caller).filter(match).order_by().values("statement_id")
        level1.update(
            _visible(caller)
            .filter(refs__isnull=False, refs__in=targets)
            .order_by()
            .values_list("statement_id", flat=True)
        )
    if level1:
        parts.append(rows.filter(window, statement_id__in=level1))
        parts.append(rows.filter(window, refs__isnull=False, refs__in=level1))
    merged: dict[int, Statement] = {}
    for part in parts:
        for row in part.order_by(*order)[: limit + 1]:
            merged[row.pk] = row
    key = lambda row: (row.stored, row.pk)  # noqa: E731
    found = sorted(merged.values(), key=key, reverse=not ascending)[: limit + 1]
    return found[:limit], len(found) > limit


def more_token(params: dict, last: Statement) -> str:
    data = {k: v for k, v in params.items() if k not in ("since", "until")}
    for key in ("since", "until"):
        if key in params:
            data[key] = params[key].isoformat()
    data["_after"] = [last.stored.isoformat(), last.pk]
    return signing.dumps(data, salt="edu.xapi.more", compress=True)


def more_params(token: str) -> tuple[dict, tuple]:
    data = signing.loads(token, salt="edu.xapi.more", max_age=24 * 3600)
    after = tuple(data.pop("_after"))
    for key in ("since", "until"):
        if key in data:
            data[key] = datetime.fromisoformat(data[key])
    return data, after


def attachments_for(rows) -> list[Attachment]:
    hashes = {h for row in rows for h in row.attachment_hashes}
    return list(Attachment.objects.filter(sha2__in=hashes))


# --- documents --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocKey:
    kind: str
    activity_id: str = ""
    agent: str = ""
    registration: str = ""


def _docs(caller: Caller, key: DocKey):
    rows = Document.objects.filter(
        kind=key.kind,
        activity_id=key.activity_id,
        agent=key.agent,
        registration=key.registration,
    )
    if caller.school_id is not None:
        rows = rows.filter(school_id=caller.school_id)
    return rows


def document_get(*, caller: Caller, key: DocKey, doc_id: str) -> Document:
    row = _docs(caller, key).filter(doc_id=doc_id).first()
    if row is None:
        raise NotFound(doc_id)
    return row


def document_ids(*, caller: Caller, key: DocKey, since: datetime | None) -> list[str]:
    rows = _docs(caller, key)
    if since is not None:
        rows = rows.filter(updated__gt=since)
    return list(rows.order_by("doc_id").values_list("doc_id", flat=True))


def etag_of(content: bytes) -> str:
    return hashlib.sha1(content, usedforsecurity=False).hexdigest()


def _check_conditions(row, if_match, if_none_match) -> None:
    if if_match is not None:
        tags = [t.strip().strip('"') for t in if_match.split(",")]
        if row is None or ("*" not in tags and row.etag not in tags):
            raise PreconditionFailed("If-Match")
    if if_none_match is not None:
        tags = [t.strip().strip('"') for t in if_none_match.split(",")]
        if row is not None and ("*" in tags or row.etag in tags):
            raise PreconditionFailed("If-None-Match")


def _is_json(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() == "application/json"


def document_put(
    *,
    caller: Caller,
    key: DocKey,
    doc_id: str,
    content: bytes,
    content_type: str,
    merge: bool,
    if_match: str | None,
    if_none_match: str | None,
    require_condition: bool,
) -> Document:
    """PUT (replace) or POST (merge JSON objects) a document."""
    with transaction.atomic():
        row = _docs(caller, key).filter(doc_id=doc_id).select_for_update().first()
        _check_conditions(row, if_match, if_none_match)
        if require_condition and not merge and if_match is None and if_none_match is None:
            if row is not None:
                raise PreconditionRequired(doc_id)
            if key.kind != "state":
                raise ConditionMissing(doc_id)
        if merge:
            incoming = None
            if _is_json(content_type):
                try:
                    incoming = json.loads(content or b"null")
                except ValueError as error:
                    raise Invalid("document: the body is not valid JSON") from error
            if row is not None:
                if not _is_json(row.content_type) or not isinstance(incoming, dict):
                    raise Invalid("document: POST merges JSON objects only")
                merged = {**json.loads(bytes(row.content)), **incoming}
                content = json.dumps(merged).encode()
                content_type = "application/json"
            elif incoming is not None and not isinstance(incoming, dict):
                raise Invalid("document: POST merges JSON objects only")
        now = timezone.now()
        if row is None:
            row = Document(
                kind=key.kind,
                activity_id=key.activity_id,
                agent=key.agent,
                registration=key.registration,
                doc_id=doc_id,
                school_id=caller.school_id,
            )
        row.content = content
        row.content_type = content_type or "application/octet-stream"
        row.etag = etag_of(content)
        row.updated = now
        row.save()
        return row


def document_delete(
    *,
    caller: Caller,
    key: DocKey,
    doc_id: str | None,
    if_match: str | None,
    if_none_match: str | None,
    since: datetime | None = None,
) -> None:
    with transaction.atomic():
        rows = _docs(caller, key)
        if doc_id is not None:
            row = rows.filter(doc_id=doc_id).first()
            _check_conditions(row, if_match, if_none_match)
            if row is not None:
                row.delete()
            return
        if since is not None:
            rows = rows.filter(updated__gt=since)
        rows.delete()


def agent_person(*, caller: Caller, agent: dict) -> dict:
    """The Person object of the agents resource (the identifiers this LRS knows)."""
    person: dict = {"objectType": "Person"}
    if "name" in agent:
        person["name"] = [agent["name"]]
    for key in ("mbox", "mbox_sha1sum", "openid"):
        if key in agent:
            person[key] = [agent[key]]
    if "account" in agent:
        person["account"] = [agent["account"]]
    return person


def activity_object(*, activity_id: str) -> dict:
    row = ActivityDefinition.objects.filter(activity_id=activity_id).first()
    out: dict = {"objectType": "Activity", "id": activity_id}
    if row is not None and row.definition:
        out["definition"] = row.definition
    return out
