"""User-facing text in Simplified Chinese (default) and English; a user picks with ``?lang=``."""

from __future__ import annotations

from fastapi import Request

LANGUAGES = ("zh-CN", "en")
LANG_COOKIE = "certfree_lang"

MESSAGES: dict[str, dict[str, str]] = {
    "zh-CN": {
        "tagline": "无证明办事 · 让数据多跑路，让群众少跑腿",
        "node": "本节点",
        "code": "节点代码",
        "level": "层级",
        "level.province": "省级节点",
        "level.city": "市级节点",
        "level.department": "部门节点",
        "seal_keys": "签章密钥",
        "demo": "演示省数据",
        "cities": "市级节点",
        "departments": "部门节点",
        "citizens": "居民",
        "firms": "市场主体",
        "no_demo": "尚未生成演示数据：运行 certfree demo init",
        "act_as": "可扮演的演示居民（虚构）",
        "act_as_hint": "点击姓名，以该居民身份查看「我的数据」。",
        "my_data": "我的数据",
        "desk": "窗口核验（工作人员）",
        "name": "姓名",
        "id_number": "公民身份号码",
        "links": "接口",
        "api_docs": "API 文档",
        "proof_list": "证明事项清单",
        "catalog_lists": "数据供需清单",
        "switch": "English",
    },
    "en": {
        "tagline": "Certificate-free services · let data travel instead of people",
        "node": "This node",
        "code": "Node code",
        "level": "Level",
        "level.province": "Province node",
        "level.city": "City node",
        "level.department": "Department node",
        "seal_keys": "Seal keys",
        "demo": "Demo province",
        "cities": "City nodes",
        "departments": "Department nodes",
        "citizens": "Residents",
        "firms": "Firms",
        "no_demo": "No demo data yet: run certfree demo init",
        "act_as": "Demo residents you can act as (fictional)",
        "act_as_hint": "Click a name to see “My data” as that resident.",
        "my_data": "My data",
        "desk": "Desk verification (staff)",
        "name": "Name",
        "id_number": "Resident ID number",
        "links": "Interfaces",
        "api_docs": "API documentation",
        "proof_list": "Proof-item list",
        "catalog_lists": "Data supply and demand lists",
        "switch": "中文",
    },
}


def pick_language(request: Request, default: str) -> str:
    """``?lang=`` first, then the cookie, then Accept-Language, then the node's default."""
    for candidate in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if candidate in LANGUAGES:
            return candidate
    accept = request.headers.get("accept-language", "").lower()
    if accept.startswith("en"):
        return "en"
    if accept.startswith("zh"):
        return "zh-CN"
    return default if default in LANGUAGES else "zh-CN"
