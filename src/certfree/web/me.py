"""A citizen's own page, at ``/me`` (我的数据): who used my data, my consents, my certificates.

The page is a server-rendered shell; a small script calls the applicant's own API routes
(``/api/v1/me/accesses``, ``/api/v1/me/consents``, ``/api/v1/me/certificate-uses``) with a
bearer token kept in ``sessionStorage``, so the server never renders one person's data into
a page another could load. The token comes from the province's OpenID provider in production;
on a development node ``/me?as=<ID number>`` signs in through ``POST /dev/sign-in``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from certfree import certs
from certfree.api.deps import PUBLIC, NodeDep
from certfree.exchange.questions import data_items, list_questions
from certfree.web.i18n import pick_language
from certfree.web.rendering import render_page

router = APIRouter(tags=["web"])

MESSAGES: dict[str, dict[str, str]] = {
    "zh-CN": {
        "title": "我的数据",
        "motto": "谁在何时为办理什么事项查询了您的数据，您同意了哪些核验，"
        "您的电子证照在哪里被用过。",
        "signed_in_as": "当前身份",
        "sign_out": "退出",
        "sign_in": "登录",
        "sign_in_hint": "请通过统一身份认证平台登录后查看本人数据。",
        "dev_sign_in": "演示环境：输入演示人口库中的公民身份号码登录",
        "id_number": "公民身份号码",
        "loading": "正在加载……",
        "failed": "加载失败",
        "accesses": "谁查询了我的数据",
        "accesses_note": "汇集全省各级节点防篡改审计日志中涉及您的记录：每个节点的签名树头"
        "已由您登录的节点按节点登记册核对，每条记录对树头的包含证明（RFC 6962）"
        "再在本机浏览器中验证。",
        "logged_by": "记录节点",
        "nodes": "各节点日志",
        "node_line": "{node}：{count} 条，日志共 {size} 条，树头签名已核对",
        "node.unreachable": "{node}：暂时无法连接（{detail}），其记录稍后再查",
        "node.refused": "{node}：拒绝查询（{detail}）",
        "node.invalid": "{node}：应答未通过核对（{detail}），不予显示",
        "registry_problem": "节点登记册暂不可用（{detail}），仅显示本节点的记录",
        "no_accesses": "暂无查询记录。",
        "when": "时间（北京时间）",
        "who": "查询方",
        "provider": "提供方",
        "question": "核验问题",
        "service_item": "办理事项",
        "answer": "答复",
        "proof": "审计证明",
        "proof_ok": "可验证：第 {index} 条，日志共 {size} 条",
        "proof_verified": "已在本机验证：第 {index} 条，日志共 {size} 条",
        "proof_failed": "验证失败：第 {index} 条与签名树头不符",
        "consents": "我的授权同意",
        "no_consents": "暂无授权同意。",
        "questions": "同意核验的问题",
        "data_items": "涉及数据项",
        "given_at": "同意时间",
        "expires_at": "有效期至",
        "state": "状态",
        "revoke": "撤回",
        "revoke_confirm": "撤回后，将不再为该事项核验这些问题。确定撤回？",
        "state.valid": "有效",
        "state.expired": "已过期",
        "state.revoked": "已撤回",
        "uses": "用证记录",
        "no_uses": "暂无用证记录。",
        "verifier": "核验方",
        "certificate": "证照",
        "purpose": "用途",
        "disclosed": "出示项目",
        "result": "核验结果",
        "passed": "通过",
        "not_passed": "未通过",
        "yes": "是",
        "no": "否",
        "switch": "English",
        "home": "首页",
        "aside": "{main}（{note}）",
        "sep": "、",
        "colon": "：",
    },
    "en": {
        "title": "My data",
        "motto": "Who looked up your data, when and for which service; what you consented to; "
        "where your e-certificates were used.",
        "signed_in_as": "Signed in as",
        "sign_out": "Sign out",
        "sign_in": "Sign in",
        "sign_in_hint": "Sign in through the province's identity service to see your data.",
        "dev_sign_in": "Demo node: sign in with a resident ID number from the demo register",
        "id_number": "Resident ID number",
        "loading": "Loading…",
        "failed": "Could not load",
        "accesses": "Who accessed my data",
        "accesses_note": "Entries about you from the tamper-evident audit log of every node of "
        "the province: each node's signed tree head was checked by the node you signed in to "
        "against the node registry, and each entry's inclusion proof (RFC 6962) is checked "
        "again in this browser.",
        "logged_by": "Logged by",
        "nodes": "Node logs",
        "node_line": "{node}: {count} entries, log of {size}, signed head checked",
        "node.unreachable": "{node}: cannot be reached now ({detail}); look again later",
        "node.refused": "{node}: refused ({detail})",
        "node.invalid": "{node}: its answer failed a check ({detail}) and is not shown",
        "registry_problem": "The node registry is unavailable ({detail}): this node only",
        "no_accesses": "No one has looked up your data.",
        "when": "When (Beijing time)",
        "who": "Asked by",
        "provider": "Answered by",
        "question": "Question",
        "service_item": "Service item",
        "answer": "Answer",
        "proof": "Audit proof",
        "proof_ok": "Provable: entry {index} of a log of {size}",
        "proof_verified": "Verified in this browser: entry {index} of a log of {size}",
        "proof_failed": "Check failed: entry {index} does not match the signed head",
        "consents": "My consents",
        "no_consents": "You have not consented to anything.",
        "questions": "Questions consented to",
        "data_items": "Data items",
        "given_at": "Given",
        "expires_at": "Valid until",
        "state": "State",
        "revoke": "Revoke",
        "revoke_confirm": "These questions will no longer be asked for this service. Revoke?",
        "state.valid": "valid",
        "state.expired": "expired",
        "state.revoked": "revoked",
        "uses": "Certificate use log",
        "no_uses": "Your certificates have not been used.",
        "verifier": "Verifier",
        "certificate": "Certificate",
        "purpose": "Purpose",
        "disclosed": "Shown",
        "result": "Result",
        "passed": "passed",
        "not_passed": "failed",
        "yes": "yes",
        "no": "no",
        "switch": "中文",
        "home": "Home",
        "aside": "{main} ({note})",
        "sep": ", ",
        "colon": ": ",
    },
}


def question_terms(lang: str) -> dict[str, dict[str, Any]]:
    """Each question's title, parameters, and its answer fields' labels and enum terms, for
    the scripts of ``/me`` and ``/desk`` to build forms and read answers."""
    chinese = lang == "zh-CN"
    items = data_items()

    def label(item: str) -> str:
        return items[item].zh.split("（")[0] if chinese else items[item].en

    return {
        q.name: {
            "title": q.title_zh if chinese else q.title_en,
            "params": [
                {
                    "name": p.name,
                    "label": p.label_zh if chinese else p.name,
                    "required": p.required,
                    "subject": p.subject,
                    "values": list(p.values),
                }
                for p in q.params
            ],
            "labels": {f.name: label(f.data_item) for f in q.answer},
            # The enum terms are Chinese; English shows the values as they are (married …).
            "values": {f.name: dict(f.values) for f in q.answer if f.values} if chinese else {},
        }
        for q in list_questions()
    }


def _certificate_types(lang: str) -> dict[str, dict[str, Any]]:
    """Each certificate type's name and its claims' labels, for the use log's rows."""
    english = lang == "en"
    shown: dict[str, dict[str, Any]] = {}
    for code, kind in certs.cert_types().items():
        labels = {"holder_id": "Holder ID" if english else "持证主体代码"}
        for field in kind.fields:
            labels[field.name] = field.label_en if english else field.label
        for predicate in kind.predicates:
            labels[predicate.name] = predicate.label_en if english else predicate.label
        shown[code] = {"name": kind.name_en if english else kind.name, "labels": labels}
    return shown


@router.get("/me", response_class=HTMLResponse, openapi_extra=PUBLIC)
def my_data_page(request: Request, node: NodeDep) -> HTMLResponse:
    """The shell of the citizen's page; the data is fetched by the script with their token."""
    lang = pick_language(request, node.settings.default_language)
    return render_page(
        request,
        "me.html",
        lang=lang,
        settings=node.settings,
        context={
            "t": MESSAGES[lang],
            "questions": question_terms(lang),
            "cert_types": _certificate_types(lang),
        },
    )
