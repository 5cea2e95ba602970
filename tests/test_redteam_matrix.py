"""Issue 21 §9: the red-team matrix. Every door that takes an object id or a unit code — each URL pattern of the URL
configuration, each operation of the API's OpenAPI schema — is requested by every persona (pages by session with a
real CSRF token, the API by bearer token, and anonymously) on objects outside the persona's scope, read (GET) and
write (POST/PUT/PATCH/DELETE with a plausible body), and must answer 404/403 (anonymous: the login redirect, 401 for
the API) with the database unchanged: every table's row count and content checksum compared around each write.

A door that exists but is neither in DOORS nor in NO_OBJECT/PUBLIC (each with its reason) fails
`test_every_door_is_in_the_matrix`, so a new door is covered the day it is added. Each door is first used by the
world's own admin (the positive control, rolled back): a 404 for an object that does not exist proves nothing.

One database for the whole module (built once, rolled back at the end); kept in one xdist worker
(`xdist_group` + `--dist loadgroup`). `tests/conftest.py` prints the counts at the end of the run.
"""

from __future__ import annotations

import datetime
import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests import redteam_world
from tests.redteam_world import PDF, STATS

pytestmark = pytest.mark.xdist_group("redteam")

# username -> the world outside its scope. Another province for the Quảng Ngãi board and the Sở Nội vụ people;
# the sibling branch (Sở Nội vụ) for everyone under Sở KH&CN and for Quảng Bình.
PERSONAS: dict[str | None, str] = {
    "bdv.quangngai": "QB", "vp.snv": "QB", "qt.snv": "QB",
    "vp.skhcn": "SNV", "ld.skhcn": "SNV", "tt.skhcn": "SNV", "cc.tdc": "SNV", "ld.vp": "SNV", "ld.tt": "SNV",
    "ld.cc": "SNV", "dangbo.stp": "SNV", "qt.quangbinh": "SNV",
    None: "QB",  # anonymous
}
LOGIN = "/dang-nhap/"


# ---- the doors ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Door:
    """How to fill a door's parameters with a foreign object: parameter -> kind (a key of World.objs, or one of
    KINDS below), or "=value" for a constant (a format, a document's name)."""

    params: dict[str, str] = field(default_factory=dict)
    read: bool = True  # GET it
    write: bool = False  # POST it (pages) — API operations take their own method
    body: dict[str, str] = field(default_factory=dict)  # extra form/JSON fields: name -> kind or "=value"
    query: dict[str, str] = field(default_factory=dict)  # query parameters: name -> kind
    control: str | None = "owner"  # who may use it in the world: "owner" (its admin), "superuser", or None
    files: tuple[str, ...] = ()  # multipart file fields (a small PDF each)
    expect: frozenset[int] = frozenset({403, 404})


def D(params: str = "", **kw) -> Door:
    """D("pk=exemplar evidence_pk=evidence", write=True)."""
    return Door(params=dict(p.split("=", 1) for p in params.split()), **kw)


OWN = "superuser"  # a notification: its actor, its addressee or a superuser may resend it
EX = "pk=exemplar"
SUB = "pk=submission"
RND = "pk=round"
REPORT = "code=unit year=year"

DOORS: dict[str, Door] = {
    # core
    "tree_node": D("code=root"),
    "demo_mail_one": D("name==20260101-000000-1.eml", control=None),  # the demo's caught mail: superusers only
    "token_revoke": D("pk=token", read=False, write=True, control="officer"),  # only the token's owner
    # exemplars
    "exemplars:detail": D(EX),
    "exemplars:edit": D(EX, write=True, body={"name": "=Sửa thử", "version": "version"}),
    "exemplars:delete": D(EX, read=False, write=True),
    "exemplars:restore": D("pk=deleted", read=False, write=True),
    "exemplars:progress": D(EX, read=False, write=True, body={"text": "=Thử", "date": "=01/07/2021"}),
    "exemplars:assess": D(EX, read=False, write=True, body={"achieved": "=1", "comment": "=Thử"}),
    "exemplars:recognize": D(EX, read=False, write=True, body={"by_unit": "root_id", "decision_number": "=9/QĐ",
                                                               "decision_date": "=01/12/2021"}),
    "exemplars:commend": D(EX, read=False, write=True, body={"by_unit": "root_id", "form": "=praise",
                                                             "decision_number": "=9/QĐ",
                                                             "decision_date": "=01/12/2021"}),
    "exemplars:stop": D(EX, read=False, write=True, body={"reason": "=Thử"}),
    "exemplars:publish": D("pk=exemplar recognition_pk=recognition", read=False, write=True,
                           body={"published": "=1"}),
    "exemplars:evidence": D("pk=exemplar evidence_pk=evidence"),
    # similar
    "similar:detail": D(EX),
    "similar:replication": D("pk=other other_pk=exemplar", read=False, write=True),
    "similar:flag": D("pk=other other_pk=exemplar", read=False, write=True),
    "similar:dismiss": D("flag_pk=flag", read=False, write=True),
    # showcase: public, but only what its recognizing body published
    "showcase:detail": D(EX, control=None),
    # movement
    "movement:round": D(RND),
    "movement:relay": D("pk=round code=unit", write=True, body={"deadline": "deadline", "min_total": "=1",
                                                                 "title": "=Thử"}),
    "movement:remind": D(RND, read=False, write=True, body={"submission": "submission", "message": "=Thử"}),
    "movement:edit": D(RND, write=True, body={"title": "=Sửa thử", "min_total": "=1", "deadline": "deadline"}),
    "movement:cancel_relay": D("pk=relay", read=False, write=True, body={"reason": "=Thử"}),
    "movement:reminder_resend": D("pk=reminder", read=False, write=True),
    "movement:export": D(RND),
    "movement:submission": D(SUB),
    "movement:attach": D(SUB, read=False, write=True, body={"exemplar": "exemplar", "version": "version"}),
    "movement:detach": D("pk=submission exemplar_pk=exemplar", read=False, write=True, body={"version": "version"}),
    "movement:dossier": D(SUB, read=False, write=True, body={"signed_number": "=9/Thử", "version": "version"}),
    "movement:request_approval": D(SUB, read=False, write=True, body={"version": "version"}),
    "movement:submit": D(SUB, read=False, write=True, body={"version": "version"}),
    "movement:consolidate": D(SUB, read=False, write=True),
    "movement:accept": D(SUB, read=False, write=True),
    "movement:return": D(SUB, read=False, write=True, body={"comment": "=Thử"}),
    "movement:extend": D(SUB, read=False, write=True, body={"until": "deadline", "reason": "=Thử"}),
    "movement:file": D("pk=submission which==ban-ky"),
    "movement:resend": D("pk=notification", read=False, write=True, control=OWN),
    "movement:digest_resend": D("pk=digest", read=False, write=True, control="leader"),
    # documents
    "documents:submission": D("pk=submission which==danh-sach fmt==xlsx"),
    "documents:round": D("pk=round which==phat-dong fmt==docx"),
    "documents:job": D("pk=job", control="officer"),  # the requester's only
    "documents:job_file": D("pk=job", control="officer"),
    "documents:settings": D("code=root", write=True, body={"signer_name": "=Thử"}),
    # the outgoing register: read by who issues over the unit; numbered and withdrawn by the unit's own office
    "documents:register": D("code=unit"),
    "documents:register_xlsx": D("code=unit"),
    "documents:outgoing_file": D("pk=outgoing"),
    "documents:number": D(SUB, read=False, write=True, body={"version": "version"}, control=OWN),
    "documents:withdraw": D("pk=outgoing", read=False, write=True, body={"reason": "=Thử"}, control=OWN),
    # intake
    "intake:upload": D(query={"ho_so": "submission"}, write=True, body={"unit": "unit_id", "year": "=2021"},
                       files=("uploads",), expect=frozenset({403, 404})),
    "intake:preview": D("pk=batch", write=True, body={"action": "=confirm"}),
    "intake:original": D("pk=import_file"),
    "intake:row_similar": D("pk=import_row"),
    # onboarding
    "onboarding:preview": D("pk=run", write=True),  # the uploader's (the world's admin) only
    "onboarding:export": D("code=root fmt==csv"),
    "onboarding:unit": D("code=unit", write=True, body={"action": "=edit", "name": "=Sửa thử"}),
    "onboarding:unit_by_pk": D("pk=unit_id", write=True, body={"action": "=edit", "name": "=Sửa thử"}),
    "onboarding:revoke": D("code=unit pk=membership", read=False, write=True),
    "onboarding:account": D("code=unit pk=officer action==khoa", read=False, write=True),
    "onboarding:restructure": D("code=unit", write=True, body={"action": "=move", "new_parent": "root_code"}),
    # reports
    "reports:annual": D(REPORT, write=True, body={"action": "=open"}),
    "reports:intro_add": D(REPORT, read=False, write=True, body={"exemplar": "exemplar", "basis": "=Thử"}),
    "reports:intro_edit": D("code=unit year=year pk=intro", read=False, write=True, body={"basis": "=Sửa thử"}),
    "reports:intro_remove": D("code=unit year=year pk=intro", read=False, write=True),
    "reports:download": D("code=unit year=year what==so-lieu fmt==json"),
    "reports:dashboard": D("code=root"),
    "reports:dashboard_download": D("code=root slug==tat-ca fmt==xlsx"),
    "reports:period": D("code=unit movement=movement"),
    "reports:period_download": D("code=unit movement=movement fmt==xlsx"),
    # Django admin: superusers only (tests/test_admin_superuser_only.py); tried on the foreign objects here, the
    # admin's other pages fall under ADMIN below.
    "admin:exemplars_exemplar_change": D("object_id=exemplar", write=True, control="superuser",
                                         expect=frozenset({302, 403, 404})),
    "admin:movement_submission_change": D("object_id=submission", write=True, control="superuser",
                                          expect=frozenset({302, 403, 404})),
    "admin:orgs_orgunit_change": D("object_id=unit_id", write=True, control="superuser",
                                   expect=frozenset({302, 403, 404})),
    # ---- the API (by bearer token) -----------------------------------------------------------------------------
    "GET /api/units/{code}": D("code=root"),
    "GET /api/units/{code}/children": D("code=root"),
    "GET /api/units/{code}/dashboard": D("code=root"),
    "GET /api/units/{code}/dashboard/{slug}.{fmt}": D("code=root slug==tat-ca fmt==xlsx"),
    "POST /api/exemplars": D(body={"unit": "unit_code", "field": "field", "movement": "movement"}),
    "GET /api/exemplars/{pk}": D(EX),
    "PATCH /api/exemplars/{pk}": D(EX, body={"name": "=Sửa thử"}),
    "DELETE /api/exemplars/{pk}": D(EX),
    "GET /api/exemplars/{pk}/similar": D(EX),
    "POST /api/exemplars/{pk}/restore": D("pk=deleted"),
    "GET /api/exemplars/{pk}/events": D(EX),
    "POST /api/exemplars/{pk}/progress": D(EX),
    "POST /api/exemplars/{pk}/progress/evidence": D(EX, files=("files",)),
    "GET /api/exemplars/{pk}/evidence/{evidence_id}": D("pk=exemplar evidence_id=evidence"),
    "POST /api/exemplars/{pk}/assess": D(EX),
    "POST /api/exemplars/{pk}/recognitions": D(EX, body={"by_unit": "root_code"}),
    "POST /api/exemplars/{pk}/commendations": D(EX, body={"by_unit": "root_code"}),
    "POST /api/exemplars/{pk}/stop": D(EX),
    "POST /api/exemplars/{pk}/recognitions/{rid}/publish": D("pk=exemplar rid=recognition"),
    "POST /api/exemplars/{pk}/recognitions/{rid}/withdraw": D("pk=exemplar rid=recognition"),
    "POST /api/rounds": D(body={"issuer": "root_code", "movement": "movement"}),
    "GET /api/rounds/{pk}": D(RND),
    "PATCH /api/rounds/{pk}": D(RND, body={"title": "=Sửa thử"}),
    "GET /api/rounds/{pk}/completeness": D(RND),
    "POST /api/rounds/{pk}/relay": D(RND, body={"unit": "unit_code"}),
    "GET /api/rounds/{pk}/documents": D(RND),
    "GET /api/rounds/{pk}/documents/{which}.{fmt}": D("pk=round which==phat-dong fmt==docx"),
    "GET /api/submissions/{pk}": D(SUB),
    "POST /api/submissions/{pk}/attach": D(SUB, body={"exemplars": "exemplar_ids"}),
    "POST /api/submissions/{pk}/detach": D(SUB, body={"exemplar": "exemplar"}),
    "POST /api/submissions/{pk}/submit": D(SUB),
    "POST /api/submissions/{pk}/request-approval": D(SUB),
    "POST /api/submissions/{pk}/accept": D(SUB),
    "POST /api/submissions/{pk}/extend": D(SUB),
    "POST /api/submissions/{pk}/return": D(SUB),
    "POST /api/submissions/{pk}/consolidate": D(SUB),
    "POST /api/submissions/{pk}/remind": D(SUB),
    "GET /api/submissions/{pk}/documents": D(SUB),
    "GET /api/submissions/{pk}/documents/{which}.{fmt}": D("pk=submission which==danh-sach fmt==xlsx"),
    "POST /api/submissions/{pk}/number": D(SUB, control=OWN),
    "GET /api/units/{code}/outgoing": D("code=unit"),
    "GET /api/outgoing/{pk}/file": D("pk=outgoing"),
    "POST /api/outgoing/{pk}/withdraw": D("pk=outgoing", body={"reason": "=Thử"}, control=OWN),
    "GET /api/documents/jobs/{pk}": D("pk=job", control="officer"),
    "GET /api/documents/jobs/{pk}/file": D("pk=job", control="officer"),
    "POST /api/imports": D(body={"unit": "unit_code", "year": "=2021"}, files=("files",)),
    "GET /api/imports/{pk}": D("pk=batch"),
    "GET /api/imports/{pk}/rows/{row_pk}/similar": D("pk=batch row_pk=import_row"),
    "POST /api/imports/{pk}/confirm": D("pk=batch"),
    "POST /api/imports/{pk}/cancel": D("pk=batch"),
    "GET /api/reports/{unit_code}/{year}/statistics": D("unit_code=unit year=year"),
    "GET /api/reports/{unit_code}/{year}/{what}.{fmt}": D("unit_code=unit year=year what==so-lieu fmt==json"),
    "GET /api/reports/{unit_code}/period/{movement}": D("unit_code=unit movement=movement"),
    "GET /api/reports/{unit_code}/period/{movement}/download.{fmt}": D("unit_code=unit movement=movement fmt==xlsx"),
}

# Doors that take two objects, tried by each world's admin with its own first object and the other world's second
# (or a foreign reference in the body): door -> the parameters filled from the attacker's own world.
MIXED: dict[str, frozenset[str]] = {name: frozenset(own.split()) for name, own in {
    "exemplars:publish": "pk", "exemplars:evidence": "pk",
    "similar:replication": "pk", "similar:flag": "pk",
    "movement:relay": "pk", "movement:attach": "pk", "movement:detach": "pk", "movement:remind": "pk",
    "onboarding:revoke": "code", "onboarding:account": "code",
    "reports:intro_add": "code year", "reports:intro_edit": "code year", "reports:intro_remove": "code year",
    "GET /api/exemplars/{pk}/evidence/{evidence_id}": "pk",
    "POST /api/exemplars/{pk}/recognitions/{rid}/publish": "pk",
    "POST /api/exemplars/{pk}/recognitions/{rid}/withdraw": "pk",
    "POST /api/exemplars/{pk}/recognitions": "pk", "POST /api/exemplars/{pk}/commendations": "pk",
    "GET /api/imports/{pk}/rows/{row_pk}/similar": "pk",
    "POST /api/submissions/{pk}/attach": "pk", "POST /api/submissions/{pk}/detach": "pk",
    "POST /api/rounds/{pk}/relay": "pk",
}.items()}
MIXED_REFUSALS = {400, 403, 404, 409, 422}

# Doors with no object of anyone's in their address: what they show is the user's own (or public) by construction,
# and the lists among them are filtered by scoping (tests/test_scoping.py, tests/test_security.py).
NO_OBJECT: dict[str, str] = {
    "home": "the user's own home page",
    "demo_mail": "the demo's caught mail: superusers only, while `danvan demo` runs",
    "login": "the login form", "logout": "ends one's own session",
    "password_change": "changes one's own password (asks the current one)",
    "password_reset": "asks for a link by e-mail; answers the same for any address",
    "password_reset_done": "static page", "password_reset_complete": "static page",
    "tree": "the tree from the user's own units down",
    "audit": "the audit log of the admin's own subtree (test_security.py)",
    "profile": "the user's own tokens",
    "exemplars:list": "list filtered by permissions.visible_units", "exemplars:create": "a new model in a unit of the "
    "form's choices (editable units only)", "exemplars:trash": "deleted models of the user's units",
    "exemplars:source_search": "search among visible models", "similar:draft": "similar among visible models",
    "movement:rounds": "visible rounds", "movement:launch": "issuer among the user's own units",
    "movement:notifications": "the user's own", "movement:mail_preference": "the user's own",
    "documents:blank": "the blank form, the same for everyone",
    "onboarding:home": "the admin's own units", "onboarding:template": "blank templates",
    "onboarding:upload": "a new file of the user's own",
    "onboarding:registry": "the national registry, under a unit chosen among the admin's own (form choices)", "onboarding:history": "the admin's subtree's history",
    "reports:home": "the user's own units", "reports:request_new": "issuer among the user's own units",
    "showcase:list": "public: published recognitions only (test_showcase.py)",
    "GET /api/units": "visible units", "GET /api/exemplars": "visible models", "GET /api/rounds": "visible rounds",
    "GET /api/submissions": "visible submissions", "GET /api/imports": "the batches of editable units",
    "GET /api/documents/blank-form.{fmt}": "the blank form, the same for everyone",
}
# Doors anyone may use by design.
PUBLIC: dict[str, str] = {
    "healthz": "liveness, no details", "healthz_bare": "liveness for the load balancer",
    "healthz_details": "loopback or a superuser only (test_operations.py)",
    "password_reset_confirm": "the e-mailed link: its signed token is the authority (test_accounts.py)",
    "api:api-root": "the API's index", "api:openapi-json": "the API's schema", "api:openapi-view": "the API's docs",
}
ADMIN = "the Django admin is for superusers only (tests/test_admin_superuser_only.py); its change pages of the " \
        "foreign models are tried in DOORS"


@functools.cache
def url_doors() -> dict[str, str]:
    """Every named URL pattern outside the API, walked from the root resolver: name -> route."""
    out: dict[str, str] = {}

    def walk(patterns, ns: list[str], prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, ns + [p.namespace] if p.namespace else ns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                name = ":".join([*ns, p.name]) if p.name else prefix + str(p.pattern)
                out.setdefault(name, prefix + str(p.pattern))

    walk(get_resolver().url_patterns, [], "/")
    return out


@functools.cache
def api_doors() -> dict[str, dict]:
    """Every operation of the API's OpenAPI schema: "METHOD /api/path" -> its operation."""
    from danvan.api.api import api

    schema = api.get_openapi_schema()
    return {f"{m.upper()} {p}": {**op, "_schema": schema} for p, ops in schema["paths"].items() for m, op in ops.items()}


def _is_api(name: str) -> bool:
    return name.split(" ", 1)[0] in {"GET", "POST", "PUT", "PATCH", "DELETE"}


# ---- the database fingerprint -------------------------------------------------------------------------------------

# Columns a refused request may write by design: the token's "last used" (once a minute), the login time.
VOLATILE = {"api_apitoken": {"last_used_at"}, "auth_user": {"last_login"}}


class Fingerprint:
    """Row count and content checksum of every table (less VOLATILE), in one query."""

    def __init__(self) -> None:
        tables = sorted(connection.introspection.table_names(include_views=False))
        q = connection.ops.quote_name
        parts = []
        with connection.cursor() as cur:
            if connection.vendor == "sqlite":
                connection.connection.create_function("rt_hash", -1, lambda *a: hash(a) & 0xFFFFFFFF,
                                                      deterministic=True)
            for t in tables:
                cols = [q(c.name) for c in connection.introspection.get_table_description(cur, t)
                        if c.name not in VOLATILE.get(t, ())]
                if connection.vendor == "sqlite":
                    row = f"rt_hash({', '.join(cols)})"
                else:
                    row = f"hashtext(row({', '.join(cols)})::text)::bigint"
                parts.append(f"SELECT '{t}', count(*), coalesce(sum({row}), 0) FROM {q(t)}")
        self.sql = " UNION ALL ".join(parts)

    def __call__(self) -> dict[str, tuple[int, int]]:
        with connection.cursor() as cur:
            cur.execute(self.sql)
            return {t: (n, h) for t, n, h in cur.fetchall()}


def changed(before: dict, after: dict) -> list[str]:
    return [t for t in sorted(set(before) | set(after)) if before.get(t) != after.get(t)]


# ---- the module's world -------------------------------------------------------------------------------------------

@dataclass
class Persona:
    name: str | None
    page: Client
    token: Client | None
    world: redteam_world.World
    csrf: str = ""


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.core.cache import cache

    media = tmp_path_factory.mktemp("redteam-media")
    quick = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"], MEDIA_ROOT=str(media),
        TASKS={"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}},
        DANVAN_SHARED_CACHE=True)
    with django_db_blocker.unblock(), quick:
        cache.clear()
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield _build()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            cache.clear()


def _build() -> dict:
    from django.contrib.auth import get_user_model

    from danvan.api.tokens import create_token
    from danvan.ops.demo import DEMO_PASSWORD, load_demo

    load_demo()
    extra = redteam_world.admins()
    worlds = {"QB": redteam_world.build("Quảng Bình", "DBSTP-QB", extra["qt.quangbinh"], "QB"),
              "SNV": redteam_world.build("Sở Nội vụ", "SNV-QNG", extra["qt.snv"], "SNV")}
    users = get_user_model().objects

    def persona(username: str | None, world) -> Persona:
        page = Client(enforce_csrf_checks=True)
        page.get(LOGIN)
        if username:
            resp = page.post(LOGIN, {"username": username, "password": DEMO_PASSWORD,
                                     "csrfmiddlewaretoken": page.cookies["csrftoken"].value})
            assert resp.status_code == 302, f"đăng nhập {username} thất bại"
            secret = create_token(user=users.get(username=username), name="Ma trận đỏ").secret
            token = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
        else:
            token = Client()
        return Persona(username, page, token, world, page.cookies["csrftoken"].value)

    people = {name: persona(name, worlds[w]) for name, w in PERSONAS.items()}
    controls = {}
    for key, w in worlds.items():
        controls[key, "owner"] = persona(w.owner.username, w)
        controls[key, "superuser"] = persona("admin", w)
        controls[key, "officer"] = persona(w.officer.username, w)  # the requester of the job, the token's owner
        controls[key, "leader"] = persona(w.leader.username, w)  # the digest's addressee
    return {"worlds": worlds, "people": people, "controls": controls, "fingerprint": Fingerprint()}


@pytest.fixture(autouse=True)
def db(django_db_blocker):
    """pytest-django's `db` replaced: no transaction per test, the module's one (`matrix`) holds for all of them.
    Its name still tells pytest-django to create the test database."""
    with django_db_blocker.unblock():
        yield


# ---- filling a door -----------------------------------------------------------------------------------------------

def _deadline() -> str:
    return (datetime.datetime.now() + datetime.timedelta(days=10)).strftime("%d/%m/%Y %H:%M")


KINDS: dict[str, Callable] = {
    "root": lambda w: w.root.code, "root_code": lambda w: w.root.code, "root_id": lambda w: w.root.pk,
    "unit": lambda w: w.unit.code, "unit_code": lambda w: w.unit.code, "unit_id": lambda w: w.unit.pk,
    "officer": lambda w: w.officer.pk, "year": lambda w: 2021, "deadline": lambda w: _deadline(),
    "field": lambda w: w["exemplar"].field_id, "exemplar_ids": lambda w: [w["exemplar"].pk],
}


def value(kind: str, w):
    if kind.startswith("="):
        return kind[1:]
    if kind in KINDS:
        return KINDS[kind](w)
    return w[kind].pk


@dataclass(frozen=True)
class Mix:
    """Which world fills each parameter: the foreign one, except the names in `own`, filled from `home` (the
    attacker's own objects, to reach a foreign one through them)."""

    foreign: redteam_world.World
    home: redteam_world.World | None = None
    own: frozenset[str] = frozenset()

    def __call__(self, name: str) -> redteam_world.World:
        return self.home if name in self.own and self.home else self.foreign


def _version(door: Door, m: Mix) -> int:
    for k, kind in door.params.items():
        obj = m(k).objs.get(kind)
        if obj is not None and hasattr(obj, "version"):
            obj.refresh_from_db(fields=["version"])
            return obj.version
    return 1


def page_address(name: str, door: Door, m: Mix) -> str:
    url = reverse(name, kwargs={k: value(v, m(k)) for k, v in door.params.items()})
    if door.query:
        url += "?" + "&".join(f"{k}={value(v, m(k))}" for k, v in door.query.items())
    return url


def api_address(name: str, door: Door, m: Mix) -> tuple[str, str]:
    method, path = name.split(" ", 1)
    for k, v in door.params.items():
        path = path.replace("{" + k + "}", str(value(v, m(k))))
    assert "{" not in path, f"{name}: a path parameter has no filler"
    return method, path


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _example(schema: dict, node: dict):
    node = _resolve(schema, node)
    for alt in node.get("anyOf", []):
        if alt.get("type") != "null":
            return _example(schema, alt)
    if "enum" in node:
        return node["enum"][0]
    t = node.get("type")
    if t == "string":
        fmt = node.get("format")
        if fmt == "date":
            return "2021-06-01"
        if fmt == "date-time":
            return (datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=10)).isoformat()
        return "Thử"
    if t == "integer":
        return max(node.get("minimum", 1), 1)
    if t == "boolean":
        return True
    if t == "array":
        return []
    if t == "object":
        return {k: _example(schema, v) for k, v in node.get("properties", {}).items()
                if k in node.get("required", [])}
    return "Thử"


def api_body(op: dict, door: Door, m: Mix) -> tuple[str, dict]:
    """A plausible body from the operation's request schema: every required field, the version read, and the
    door's own fields (foreign references)."""
    content = op.get("requestBody", {}).get("content", {})
    if not content:
        return "", {}
    ctype, spec = next(iter(content.items()))
    node = _resolve(op["_schema"], spec["schema"])
    body = _example(op["_schema"], node) if node.get("type") == "object" else {}
    for f in door.files:
        body.pop(f, None)
    props = _props(op["_schema"], node)
    if "version" in props:
        body["version"] = _version(door, m)
    for k, v in door.body.items():
        body[k] = value(v, m(k))
    return ctype, body


def _props(schema: dict, node: dict) -> set[str]:
    out = set(node.get("properties", {}))
    for prop in node.get("properties", {}).values():
        inner = _resolve(schema, prop)
        if inner.get("type") == "object":
            out |= set(inner.get("properties", {}))
    return out


def page_body(door: Door, m: Mix, csrf: str) -> dict:
    body = {"csrfmiddlewaretoken": csrf}
    for k, v in door.body.items():
        body[k] = _version(door, m) if v == "version" else value(v, m(k))
    for f in door.files:
        body[f] = _pdf()
    return body


def _pdf():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("bieu-mau.pdf", PDF, content_type="application/pdf")


# ---- asking ------------------------------------------------------------------------------------------------------

def ask(who: Persona, name: str, door: Door, op: dict | None, write: bool, mix: Mix | None = None):
    w = mix or Mix(who.world)
    if op is None:  # a page, by session
        url = page_address(name, door, w)
        if write:
            return who.page.post(url, page_body(door, w, who.csrf))
        return who.page.get(url)
    method, path = api_address(name, door, w)
    ctype, body = api_body(op, door, w)
    if ctype == "multipart/form-data":
        data = {k: json.dumps(v) if isinstance(v, list | dict) else v for k, v in body.items()}
        data.update({f: _pdf() for f in door.files})
        return who.token.post(path, data)
    if method == "GET":
        return who.token.get(path)
    return who.token.generic(method, path, json.dumps(body) if ctype else "", content_type="application/json")


def refused(who: Persona, resp, door: Door, api: bool) -> bool:
    if who.name is None:  # anonymous: the login page, or 401 from the API; a public door's 404
        if api:
            return resp.status_code == 401
        login = resp.status_code == 302 and resp["Location"].startswith((LOGIN, "/quan-tri/login/"))
        return login or resp.status_code == 404
    if resp.status_code == 403 and b"CSRF" in resp.content:
        return False  # the CSRF check is not the scope check
    if door.expect == frozenset({302, 403, 404}):  # the admin: its own login page
        return resp.status_code in {403, 404} or (resp.status_code == 302 and "/quan-tri/login/" in resp["Location"])
    return resp.status_code in door.expect


def _forget() -> None:
    from django.core.cache import cache

    cache.clear()


def control(m: dict, name: str, door: Door, op: dict | None, write: bool, world_key: str) -> str | None:
    """The door works for someone who may use it (rolled back): its 404s below come from the scope check."""
    if door.control is None:
        return None
    who = m["controls"][world_key, door.control]
    with transaction.atomic():
        resp = ask(who, name, door, op, write)
        transaction.set_rollback(True)
    _forget()
    if resp.status_code in {401, 403, 404, 405, 422}:
        return (f"{name} ({'ghi' if write else 'đọc'}): {door.control} của thế giới nhận {resp.status_code} "
                f"{resp.content[:300]!r}")
    return None


def _doors() -> list[str]:
    return sorted(DOORS)


@pytest.mark.parametrize("name", _doors())
def test_door_refuses_every_persona_outside_its_scope(matrix, name):
    door = DOORS[name]
    api = _is_api(name)
    op = api_doors()[name] if api else None
    fingerprint = matrix["fingerprint"]
    problems: list[str] = []
    modes = ([False] if door.read else []) + ([True] if door.write else [])
    if api:
        modes = [name.startswith(("POST", "PUT", "PATCH", "DELETE"))]
    for world_key in ("QB", "SNV"):
        for write in modes:
            if msg := control(matrix, name, door, op, write, world_key):
                problems.append(msg)
    tried = 0
    for who in matrix["people"].values():
        for write in modes:
            before = fingerprint() if write else None
            resp = ask(who, name, door, op, write)
            tried += 1
            STATS["writes" if write else "reads"] += 1
            if not refused(who, resp, door, api):
                problems.append(f"{who.name or 'ẩn danh'} {'ghi' if write else 'đọc'} {name} trên "
                                f"{who.world.name}: {resp.status_code}")
            if write and (diff := changed(before, fingerprint())):
                problems.append(f"{who.name or 'ẩn danh'} ghi {name} trên {who.world.name}: đổi {diff}")
            _forget()
    STATS["doors"].add(name)
    STATS["personas"] = len(matrix["people"])
    STATS["pairs"] += len(matrix["people"])
    STATS["leaks"] += len(problems)
    assert not problems, "\n".join(problems)


def test_every_door_is_in_the_matrix():
    """A URL pattern or API operation that is in none of DOORS, NO_OBJECT, PUBLIC fails here: add it to DOORS with a
    filler for each parameter (or, if it has no object, to NO_OBJECT with the reason)."""
    known = set(DOORS) | set(NO_OBJECT) | set(PUBLIC)
    missing, objectless = [], []
    for name, route in url_doors().items():
        if name.startswith("admin:") or name.startswith("/quan-tri/") or route.startswith("/api/"):
            continue
        if name not in known:
            (missing if "<" in route else objectless).append(f"{name}  {route}")
    for name in api_doors():
        if name not in known:
            (missing if "{" in name else objectless).append(name)
    assert not missing, "Cửa có tham số chưa có trong ma trận DOORS:\n" + "\n".join(missing)
    assert not objectless, "Cửa không tham số chưa có trong DOORS/NO_OBJECT/PUBLIC:\n" + "\n".join(objectless)
    stale = [n for n in DOORS if not _is_api(n) and not n.startswith("admin:") and n not in url_doors()]
    stale += [n for n in DOORS if _is_api(n) and n not in api_doors()]
    assert not stale, f"DOORS names doors that no longer exist: {stale}"


def test_doors_with_parameters_fill_each_one():
    for name, door in DOORS.items():
        if _is_api(name):
            wanted = set(re.findall(r"{(\w+)}", name))
        else:
            route = url_doors()[name] if not name.startswith("admin:") else "<object_id>"
            wanted = set(re.findall(r"<(?:\w+:)?(\w+)>", route))
        assert set(door.params) == wanted, f"{name}: tham số {sorted(wanted)}, DOORS điền {sorted(door.params)}"


def test_the_csrf_token_is_real_so_refusals_are_the_scope_check(matrix):
    """A persona's own write with the token goes through; without it, the CSRF check refuses: the matrix's 404s are
    not CSRF failures in disguise."""
    who = matrix["people"]["vp.skhcn"]
    url = reverse("movement:mail_preference")
    assert who.page.post(url, {"mode": "immediate"}).status_code == 403
    with transaction.atomic():
        ok = who.page.post(url, {"mode": "immediate", "csrfmiddlewaretoken": who.csrf})
        transaction.set_rollback(True)
    assert ok.status_code in {200, 302}


@pytest.mark.parametrize("name", sorted(MIXED))
def test_a_foreign_object_is_not_reached_through_ones_own(matrix, name):
    """Each world's admin, who may do everything with its own objects, names its own first object and the other
    world's second (or a foreign id in the body): refused, nothing written."""
    door, api = DOORS[name], _is_api(name)
    op = api_doors()[name] if api else None
    fingerprint, problems = matrix["fingerprint"], []
    modes = [name.startswith(("POST", "PUT", "PATCH", "DELETE"))] if api else (
        ([False] if door.read else []) + ([True] if door.write else []))
    for home, foreign in (("QB", "SNV"), ("SNV", "QB")):
        who = matrix["controls"][home, "owner"]
        mix = Mix(matrix["worlds"][foreign], matrix["worlds"][home], MIXED[name])
        for write in modes:
            before = fingerprint() if write else None
            resp = ask(who, name, door, op, write, mix)
            STATS["writes" if write else "reads"] += 1
            ok = (resp.status_code in MIXED_REFUSALS if api or not write
                  else resp.status_code in MIXED_REFUSALS | {200, 302})
            if not ok or (not write and resp.status_code not in {403, 404}):
                problems.append(f"{who.name} {'ghi' if write else 'đọc'} {name} (của mình: {sorted(MIXED[name])}) "
                                f"trên {mix.foreign.name}: {resp.status_code}")
            if write and (diff := changed(before, fingerprint())):
                problems.append(f"{who.name} ghi {name} (của mình: {sorted(MIXED[name])}) trên {mix.foreign.name}: "
                                f"đổi {diff}")
            _forget()
    STATS["leaks"] += len(problems)
    assert not problems, "\n".join(problems)
