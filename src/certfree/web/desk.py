"""The service desk's verification page, at ``/desk`` (窗口核验).

A clerk asks a department a question about an applicant (``POST /api/v1/exchange/ask``) and
sees the signed answer, the nodes it passed and how long it took. Before asking, the page shows
what the applicant is consenting to (``/api/v1/me/consents/preview``); the consent itself is the
applicant's act, given with their own token. Like ``/me`` the page is a shell: the script calls
the API with the clerk's bearer token, kept in ``sessionStorage``. On a development node
``/desk?as=<staff id>`` signs a clerk in through ``POST /dev/staff-sign-in``.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from certfree import procedures
from certfree.api.deps import PUBLIC, NodeDep
from certfree.errors import CertfreeError
from certfree.nodes import NodeStatus
from certfree.settings import NodeLevel
from certfree.web.i18n import pick_language
from certfree.web.me import question_terms
from certfree.web.rendering import render_page

router = APIRouter(tags=["web"])

SERVICE_ITEMS_LISTED = 300

MESSAGES: dict[str, dict[str, str]] = {
    "zh-CN": {
        "title": "窗口核验",
        "motto": "申请人不再跑腿开证明：窗口向有关部门核验一个问题，部门只答复是或否等最少信息，"
        "全程签名、授权、留痕。",
        "switch": "English",
        "home": "首页",
        "signed_in_as": "当前工作人员",
        "sign_out": "退出",
        "sign_in": "登录",
        "sign_in_hint": "请通过统一身份认证平台以工作人员身份登录。",
        "dev_sign_in": "演示环境：输入工作人员编号登录",
        "staff_id": "工作人员编号",
        "ask": "核验",
        "question": "核验问题",
        "provider": "被核验部门",
        "service_item": "办理事项",
        "purpose": "核验用途",
        "preview": "预览告知内容",
        "consent": "申请人同意",
        "consent_hint": "同意须由申请人本人在提交申请时给出（以本人身份登录确认）；"
        "没有有效同意（且授权未注明法定免除依据）时，部门将拒绝答复。",
        "dev_consent": "申请人在窗口确认同意（演示：以申请人身份登录后同意）",
        "consented": "已记录 {subject} 的同意",
        "send": "发起核验",
        "sending": "核验中……",
        "result": "核验结果",
        "answered_by": "答复方",
        "signed": "答复由 {node} 签名，本节点已按节点登记册核对签名",
        "route": "经由",
        "took": "往返用时 {ms} 毫秒",
        "message_id": "报文编号",
        "signed_answer": "签名答复（JWS）",
        "applicant_view": "申请人查看谁查询了其数据",
        "refused": "未获答复",
        "failed": "加载失败",
        "yes": "是",
        "no": "否",
        "colon": "：",
        "sep": "、",
        "arrow": " → ",
    },
    "en": {
        "title": "Desk verification",
        "motto": "Applicants no longer fetch certificates: the desk asks a department one "
        "question, the department answers the minimum, signed, authorised and logged.",
        "switch": "中文",
        "home": "Home",
        "signed_in_as": "Clerk",
        "sign_out": "Sign out",
        "sign_in": "Sign in",
        "sign_in_hint": "Sign in as staff through the province's identity service.",
        "dev_sign_in": "Demo node: sign in with a staff id",
        "staff_id": "Staff id",
        "ask": "Verify",
        "question": "Question",
        "provider": "Department asked",
        "service_item": "Service item",
        "purpose": "Purpose",
        "preview": "Preview what the applicant is told",
        "consent": "Applicant's consent",
        "consent_hint": "Only the applicant can consent, signed in as themselves, when they "
        "apply; without a valid consent (and no legal exemption cited by the grant) the "
        "department refuses to answer.",
        "dev_consent": "Applicant consents at the desk (demo: signs in as the applicant)",
        "consented": "Consent of {subject} recorded",
        "send": "Ask",
        "sending": "Asking…",
        "result": "Result",
        "answered_by": "Answered by",
        "signed": "Answer signed by {node}; this node checked the signature against the registry",
        "route": "Route",
        "took": "Round trip {ms} ms",
        "message_id": "Message id",
        "signed_answer": "Signed answer (JWS)",
        "applicant_view": "The applicant's view of who used their data",
        "refused": "No answer",
        "failed": "Could not load",
        "yes": "yes",
        "no": "no",
        "colon": ": ",
        "sep": ", ",
        "arrow": " → ",
    },
}


def _service_items(node: NodeDep) -> list[dict[str, str]]:
    with node.db.session() as session:
        _, items = procedures.list_service_items(session, limit=SERVICE_ITEMS_LISTED)
    return [{"code": item.code, "name": item.name} for item in items]


@router.get("/desk", response_class=HTMLResponse, openapi_extra=PUBLIC)
async def desk_page(request: Request, node: NodeDep) -> HTMLResponse:
    """The desk's page; departments come from the node registry, asking needs a clerk token."""
    lang = pick_language(request, node.settings.default_language)
    try:
        registry = await node.exchange.directory()
        departments = [
            {"code": peer.code, "name": peer.name or peer.code}
            for peer in sorted(registry.peers.values(), key=lambda peer: peer.code)
            if peer.status == NodeStatus.ACTIVE.value and peer.level == NodeLevel.DEPARTMENT.value
        ]
    except CertfreeError:
        departments = []  # no registry yet: the clerk types the department's code
    return render_page(
        request,
        "desk.html",
        lang=lang,
        settings=node.settings,
        context={
            "t": MESSAGES[lang],
            "questions": question_terms(lang),
            "departments": departments,
            "service_items": await node.exchange.in_thread(_service_items, node),
        },
    )
