"""The console's words: Simplified Chinese first, English on request.

Every code the console shows (a status, a role, a kind of lead) and every label of
its pages is a key of :data:`CATALOGUE`, written as words in both languages. The
language is ``?lang=`` on any page (remembered in a cookie), else the cookie, else
Chinese. A code missing from the catalogue is shown as itself inside a
``<span data-untranslated>`` (so a test, or a crawler, finds it in the page) and is
recorded in :data:`MISSING`.
"""

import logging
from collections.abc import Mapping
from typing import Any, Literal

from markupsafe import Markup, escape
from starlette.requests import Request

from ipfed.detection.reasons import ENGLISH, Reason, render

log = logging.getLogger(__name__)

Lang = Literal["zh", "en"]
LANGUAGES: tuple[Lang, ...] = ("zh", "en")
DEFAULT: Lang = "zh"
COOKIE = "ipfed_lang"

# code: (Simplified Chinese, English)
CATALOGUE: dict[str, tuple[str, str]] = {
    # roles (ipfed.ledger.identity.Role)
    "national": ("国家知识产权局", "National IP office"),
    "regional": ("地方知识产权局", "Regional IP office"),
    "platform": ("电商平台", "E-commerce platform"),
    "fair": ("展会主办方", "Trade-fair organizer"),
    "rights_holder": ("权利人", "Rights holder"),
    "enforcement": ("执法部门", "Enforcement authority"),
    "assistance_centre": ("维权援助/保护中心", "Assistance and protection centre"),
    "overseas_centre": ("海外纠纷应对指导中心", "Overseas dispute centre"),
    # mark statuses (ipfed.ledger.contract.MarkStatus)
    "active": ("有效", "Active"),
    "suspended": ("已暂停", "Suspended"),
    "revoked": ("已撤销", "Revoked"),
    "expired": ("已过期", "Expired"),
    # clone alerts (ipfed.nodes.marks.models.CloneAlertKind)
    "clone_alerts": ("克隆预警", "Clone alerts"),
    "impossible_travel": ("异地同时扫码", "Impossible travel"),
    "multiple_sellers": ("多个卖家使用", "Several sellers"),
    # the office's marks pages (ipfed.nodes.console.marks)
    "marks": ("电子标识", "Marks"),
    "mark": ("电子标识", "Mark"),
    "search_marks": ("权利号、名称或权利人", "Right number, name or holder"),
    "search": ("搜索", "Search"),
    "no_marks": ("没有符合条件的电子标识。", "No mark matches."),
    "issue_mark": ("签发电子标识", "Issue a mark"),
    "issue": ("签发", "Issue"),
    "holder_uscc": ("权利人统一社会信用代码", "Holder's unified social credit code"),
    "nice_classes_optional": (
        "核定类别（可选，如 25, 35；不填为全部）",
        "Classes (optional, e.g. 25, 35; empty: all)",
    ),
    "valid_until_optional": ("有效期至（可选）", "Valid until (optional)"),
    "verification_url": ("核验网址", "Verification URL"),
    "labels_png": ("下载标签（PNG）", "Labels (PNG)"),
    "labels_pdf": ("下载标签（PDF）", "Labels (PDF)"),
    "labels_png_first": ("首页标签（PNG）", "First sheet (PNG)"),
    "scan_to_verify": ("扫码核验", "Scan to verify"),
    "change_status": ("暂停或恢复", "Suspend or reinstate"),
    "make_suspended": ("暂停", "Suspend"),
    "make_active": ("恢复", "Reinstate"),
    "timeline": ("事件时间线", "Timeline"),
    "event_commissioning": ("签发", "Issued"),
    "event_unit_batch": ("签发单件码批次", "Unit codes issued"),
    "event_licensing": ("限定被许可人", "Scoped to a licensee"),
    "event_retail_selling": ("平台核验扫码", "Checked by a platform"),
    "event_inspecting": ("巡查/展会扫码", "Seen in an inspection"),
    "event_suspending": ("暂停", "Suspended"),
    "event_reinstating": ("恢复", "Reinstated"),
    "event_decommissioning": ("停用", "Decommissioned"),
    "event_destroying": ("销毁", "Destroyed"),
    "trust_official": ("公职部门所报", "Reported by a public body"),
    "trust_party": ("相关方所报", "Reported by an interested party"),
    "unit_code": ("单件码", "Unit code"),
    "place": ("地点", "Place"),
    "quantity": ("数量", "Quantity"),
    "single_party": ("仅凭一方报告", "One party's word alone"),
    "no_clone_alerts": ("暂无克隆预警。", "No clone alert."),
    "unit_batches": ("单件码批次", "Unit-code batches"),
    "batch_number": ("批次号", "Batch number"),
    "request_units": ("申领单件码", "Request unit codes"),
    "done_mark_issued": ("已签发。", "Issued."),
    "done_mark_suspended": ("已暂停。", "Suspended."),
    "done_mark_active": ("已恢复。", "Reinstated."),
    "done_mark_units": ("单件码已签发。", "Unit codes issued."),
    "right_unknown": ("登记册中没有此权利号。", "No right with this number in the register."),
    "bad_mark_form": ("表单填写有误。", "The form is not filled in correctly."),
    "right_not_in_force": ("该权利不在有效期内。", "The right is not in force."),
    "beyond_right": ("有效期超出权利的期限。", "Valid beyond the right's term."),
    "bad_transition": ("该标识当前状态不能如此变更。", "The mark cannot change so now."),
    "bad_status_change": ("此处只能暂停或恢复。", "Only suspend or reinstate here."),
    "mark_not_active": ("标识未生效，不能申领单件码。", "The mark is not active."),
    "too_many_units": ("单次最多申领1000个单件码。", "At most 1,000 unit codes at once."),
    # the public verification page (ipfed.nodes.marks.verdicts.Verdict)
    "mark_check": ("电子知识产权标识核验", "IP mark check"),
    "verdict_valid": ("正品标识　有效", "Genuine mark, in force"),
    "verdict_valid_hint": (
        "此标识由下列知识产权管理部门签发，目前有效。",
        "This mark was issued by the office below and is in force.",
    ),
    "verdict_possible_clone": ("疑似复制的标识", "Possibly a copied mark"),
    "verdict_possible_clone_hint": (
        "此单件码曾在不同卖家处被扫描，可能已被复制到其他商品上。请谨慎购买，并可在下方举报。",
        "This unit code was scanned at different sellers: it may have been copied onto "
        "other goods. Buy with care, and report below.",
    ),
    "verdict_suspended": ("标识已暂停使用", "Mark suspended"),
    "verdict_suspended_hint": (
        "签发机关已暂停此标识，暂停期间不能证明商品为正品。",
        "The issuing office has suspended this mark: while suspended it proves nothing.",
    ),
    "verdict_revoked": ("标识已撤销", "Mark revoked"),
    "verdict_revoked_hint": (
        "签发机关已撤销此标识，它不能证明商品为正品。",
        "The issuing office has revoked this mark: it proves nothing.",
    ),
    "verdict_expired": ("标识已过期", "Mark expired"),
    "verdict_expired_hint": (
        "此标识已过有效期，不能证明商品为正品。",
        "This mark is past its validity: it proves nothing.",
    ),
    "verdict_unknown": ("无法核验", "Cannot be verified"),
    "verdict_unknown_hint": (
        "这不是本机关签发的有效标识：可能是伪造的标签，或二维码已损坏。",
        "This is not a valid mark of this office: the label may be forged, or the code damaged.",
    ),
    "issued_by": ("签发机关", "Issued by"),
    "what_it_covers": ("标识保护的权利", "What the mark covers"),
    "right": ("权利", "Right"),
    "right_kind": ("权利类型", "Kind of right"),
    "right_number": ("注册号/专利号", "Number"),
    "holder": ("权利人", "Holder"),
    "licensee": ("被许可人", "Licensee"),
    "nice_classes": ("核定使用商品/服务类别", "Goods and services (Nice classes)"),
    "locarno_class": ("外观设计分类", "Design class (Locarno)"),
    "validity": ("有效期", "Valid"),
    "reason": ("原因", "Reason"),
    "this_unit": ("本件商品的单件码", "This item's unit code"),
    "batch": ("生产批次", "Batch"),
    "first_checked": ("首次查验", "First checked"),
    "beijing_time": ("（北京时间）", "(Beijing time)"),
    "times_checked": ("查验次数", "Times checked"),
    "checked_before_hint": (
        "如果您刚买到这件商品，而它已被查验过多次，它可能是仿冒品。",
        "If you have just bought this item and it was checked many times before, it may be a fake.",
    ),
    "report_fake": ("举报疑似假冒", "Report a suspected fake"),
    "report_intro": (
        "您的举报将送达签发机关。联系方式可不填；填写后，工作人员可能与您核实。",
        "Your report goes to the issuing office. Contact details are optional; if you "
        "give them, the office may call you to check.",
    ),
    "where_bought": ("购买地点（店铺、网址或地址）", "Where you bought it (shop, web address)"),
    "seller": ("卖家名称", "Seller"),
    "photo": ("商品照片（可选）", "Photo of the item (optional)"),
    "contact": ("联系方式（可选）", "How to reach you (optional)"),
    "send_report": ("提交举报", "Send the report"),
    "report_received": (
        "举报已收到，感谢您！签发机关将会处理。",
        "Thank you: the issuing office has your report.",
    ),
    "report_incomplete": (
        "请填写购买地点和卖家名称。",
        "Please say where you bought it and who sold it.",
    ),
    "report_too_many": (
        "您提交的举报过多，请稍后再试。",
        "You have sent many reports; please try again later.",
    ),
    "bad_photo": ("照片须为 JPEG、PNG 或 WebP 图片。", "The photo must be a JPEG, PNG or WebP."),
    "photo_too_large": ("照片过大（最大5 MB）。", "The photo is too large (5 MB at most)."),
    # leads (ipfed.nodes.detection.models)
    "suspected": ("待审核", "Suspected"),
    "needs_info": ("待补充信息", "More information needed"),
    "confirmed": ("已确认", "Confirmed"),
    "rejected": ("已驳回", "Rejected"),
    "confirm": ("确认", "Confirm"),
    "reject": ("驳回", "Reject"),
    "request_info": ("要求补充信息", "Ask for more"),
    # lead kinds (ipfed.exchange.messages.LeadKind)
    "trademark": ("商标", "Trademark"),
    "patent": ("专利", "Patent"),
    "geographical_indication": ("地理标志", "Geographical indication"),
    "patent_marking": ("假冒专利", "Counterfeit patent marking"),
    "design": ("外观设计", "Design"),
    "invention": ("发明/实用新型", "Invention or utility model"),
    # fairs (ipfed.nodes.fairs.models.ExhibitCheck)
    "cleared": ("已通过", "Cleared"),
    "flagged": ("已标记", "Flagged"),
    # filings (ipfed.nodes.filings)
    "draft": ("草稿", "Draft"),
    "submitted": ("已报送", "Submitted"),
    "acknowledged": ("已回执", "Acknowledged"),
    "refused": ("被退回", "Refused"),
    "received": ("已接收", "Received"),
    "implementation_plan": ("实施方案", "Implementation plan"),
    "semiannual_summary": ("半年总结", "Half-year summary"),
    "annual_summary": ("年度总结", "Annual summary"),
    "monthly_report": ("月度报表", "Monthly report"),
    # jobs (ipfed.nodes.jobs.models.JobState)
    "queued": ("排队中", "Queued"),
    "running": ("运行中", "Running"),
    "done": ("已完成", "Done"),
    "failed": ("失败", "Failed"),
    "dead": ("已放弃", "Given up"),
    # people's accounts
    "disabled": ("已停用", "Disabled"),
    "locked": ("已锁定", "Locked"),
    "totp_on": ("已启用", "On"),
    "totp_off": ("未启用", "Off"),
    # the office's work queue (ipfed.nodes.queue) and the lead page
    "work_queue": ("待办队列", "Work queue"),
    "detector_lead": ("检测线索", "Detector lead"),
    "lead": ("线索", "Lead"),
    "filters": ("筛选", "Filters"),
    "filter": ("筛选", "Filter"),
    "all": ("全部", "All"),
    "item_kind": ("事项类型", "Kind of item"),
    "detector": ("检测器", "Detector"),
    "region": ("地区代码", "Region code"),
    "task": ("检测任务", "Detection task"),
    "min_priority": ("优先级不低于", "Priority at least"),
    "older_than": ("发现已超过（天）", "Older than (days)"),
    "assignee": ("经办人", "Assignee"),
    "unclaimed": ("无人认领", "Unclaimed"),
    "select": ("选择", "Select"),
    "item": ("事项", "Item"),
    "priority": ("优先级", "Priority"),
    "score": ("相似度", "Score"),
    "found_at": ("发现时间", "Found"),
    "claim": ("认领", "Claim"),
    "assign": ("指派", "Assign"),
    "assign_to": ("指派给", "Assign to"),
    "decide_selection": ("批量处理所选事项", "Decide on the selected items"),
    "selection_confirm": ("确认所选", "Confirm the selected"),
    "selection_reject": ("驳回所选", "Reject the selected"),
    "queue_empty": ("没有待处理的事项。", "Nothing is waiting."),
    "done_claimed": ("已认领。", "Claimed."),
    "done_assigned": ("已指派。", "Assigned."),
    "done_confirm": (
        "已确认，线索将推送给负责处理的部门。",
        "Confirmed: the lead will be pushed to those who must act.",
    ),
    "done_reject": ("已驳回。", "Rejected."),
    "done_request_info": ("已要求补充信息。", "More information requested."),
    "claimed_by_another": ("该事项已由他人认领。", "Someone else has claimed this item."),
    "reason_required": ("请填写理由。", "Give a reason."),
    "lead_decided": ("该线索已处理。", "This lead has already been decided."),
    "lead_not_found": ("找不到该线索。", "There is no such lead."),
    "nothing_selected": ("请至少选择一项。", "Select at least one item."),
    "queue_item_not_found": ("该事项已不在队列中。", "This item is no longer in the queue."),
    "person_not_found": ("找不到该人员。", "There is no such person."),
    "not_this_office": ("此操作仅限本单位人员。", "Only this office's people may do this."),
    "person_required": ("此操作须由本人登录后进行。", "A person must be signed in to do this."),
    "one_at_a_time": ("要求补充信息须逐条进行。", "Ask for more one lead at a time."),
    "bad_queue_item": ("无效的事项。", "Not an item of the queue."),
    "bad_cursor": ("无效的翻页位置。", "Not a page of the queue."),
    "bad_kind": ("无效的事项类型。", "Not a kind of item."),
    "bad_detector": ("无效的检测器。", "Not a detector."),
    "bad_min_priority": ("优先级须为数字。", "The priority must be a number."),
    "bad_older_than": ("天数须为非负整数。", "Days must be a whole number, not negative."),
    "side_by_side": ("注册权利与商品页面对照", "The registered right beside the listing"),
    "registered_right": ("注册的权利", "Registered right"),
    "right_not_stored": ("本节点未存储此权利。", "This node does not hold the right."),
    "what_listing_shows": ("商品页面所示", "What the listing shows"),
    "look_alike": ("近似字符", "Look-alike character"),
    "listing_class": ("商品所属类别", "Class of the goods"),
    "independent_claim": ("独立权利要求", "Independent claim"),
    "same_as_registered": ("与注册相同", "As registered"),
    "listing_as_captured": ("采集时的商品页面", "The listing as captured"),
    "title": ("标题", "Title"),
    "source": ("来源", "Source"),
    "web_address": ("网址", "Web address"),
    "price": ("价格", "Price"),
    "captured_at": ("采集时间", "Captured"),
    "description": ("描述", "Description"),
    "reasons": ("检测理由", "Reasons"),
    "evidence": ("证据", "Evidence"),
    "evidence_verified": (
        "证据已核验：哈希与账本存证一致",
        "Evidence verified: it matches its ledger record",
    ),
    "evidence_pending": (
        "证据已存证，账本尚未出具证明",
        "Evidence anchored; the ledger cannot prove it yet",
    ),
    "evidence_failed": ("证据核验失败", "The evidence does not verify"),
    "evidence_not_anchored": ("证据尚未上链存证", "The evidence is not anchored"),
    "fingerprint": ("指纹（SHA-256）", "Fingerprint (SHA-256)"),
    "ledger_position": ("账本位置", "Ledger position"),
    "images": ("图片", "Images"),
    "trace": ("来源追溯", "Trace"),
    "jurisdiction": ("管辖地", "Jurisdiction"),
    "jurisdiction_unknown": ("未能确定", "Not found"),
    "participant": ("经营主体", "Business"),
    "matched_by": ("匹配依据", "Matched by"),
    "matched_by_shop": ("店铺", "Shop"),
    "matched_by_name": ("名称", "Name"),
    "shipping_origin": ("发货地", "Shipping origin"),
    "registered_address": ("注册地址", "Registered address"),
    "earlier_case": ("既往案件", "Earlier case"),
    "reviews": ("审核记录", "Reviews"),
    "decide": ("处理", "Decide"),
    # the console's own labels
    "console": ("工作台", "Console"),
    "home": ("首页", "Home"),
    "people": ("人员账号", "People"),
    "access_log": ("访问日志", "Access log"),
    "two_factor": ("双重验证", "Two-step verification"),
    "sign_in": ("登录", "Sign in"),
    "sign_out": ("退出", "Sign out"),
    "username": ("用户名", "Username"),
    "password": ("密码", "Password"),
    "new_password": ("新密码", "New password"),
    "totp_code": ("动态验证码", "Verification code"),
    "totp_code_hint": ("已启用双重验证时填写", "If two-step verification is on"),
    "sign_in_failed": (
        "用户名、密码或验证码不正确，或账号暂时无法登录。",
        "Wrong username, password or code, or the account cannot sign in now.",
    ),
    "too_many_sign_ins": (
        "此地址登录失败次数过多，请稍后再试。",
        "Too many failed sign-ins from this address; try again later.",
    ),
    "signed_out": ("您已退出。", "You have signed out."),
    "session_expired": (
        "登录已过期，请重新登录。",
        "Your session has ended; please sign in again.",
    ),
    "language": ("语言", "Language"),
    "name": ("姓名", "Name"),
    "organisation": ("单位", "Organisation"),
    "role": ("角色", "Role"),
    "status": ("状态", "Status"),
    "created": ("创建时间", "Created"),
    "last_sign_in": ("最近登录", "Last sign-in"),
    "actions": ("操作", "Actions"),
    "add_person": ("添加人员", "Add a person"),
    "add": ("添加", "Add"),
    "disable": ("停用", "Disable"),
    "reset": ("重置密码", "Reset password"),
    "reset_totp": ("同时清除双重验证", "Also clear two-step verification"),
    "person_added": (
        "已添加。请将初始密码当面交给本人（只显示一次）：",
        "Added. Hand the first password to the person (shown once):",
    ),
    "password_reset": (
        "密码已重置，原有登录已失效。新密码（只显示一次）：",
        "Password reset; the person's sessions have ended. New password (shown once):",
    ),
    "person_disabled": ("已停用，原有登录已失效。", "Disabled; the person's sessions have ended."),
    "enrol_totp": ("启用双重验证", "Turn on two-step verification"),
    "enrol_totp_required": (
        "本单位要求启用双重验证后才能继续。",
        "Your office requires two-step verification before you continue.",
    ),
    "enrol_totp_steps": (
        "用身份验证器应用扫描二维码，或手动输入密钥，然后填写应用显示的6位验证码。",
        "Scan the QR code with an authenticator app, or type the key in, "
        "then enter the 6-digit code it shows.",
    ),
    "manual_key": ("手动输入密钥", "Key to type in"),
    "totp_enrolled": ("双重验证已启用。", "Two-step verification is on."),
    "totp_wrong": ("验证码不正确，请重试。", "Wrong code; try again."),
    "welcome": ("欢迎", "Welcome"),
    "signed_in_as": ("当前登录", "Signed in as"),
    "time": ("时间", "Time"),
    "who": ("操作人", "Who"),
    "method": ("方法", "Method"),
    "route": ("路径", "Route"),
    "record": ("记录", "Record"),
    "next_page": ("下一页", "Next page"),
    "api_key": ("API密钥", "API key"),
    "decided_by": ("决定人", "Decided by"),
    "error": ("出错了", "Something went wrong"),
    "error_code": ("错误代码", "Error code"),
    "forbidden": ("您无权访问此页面。", "You may not open this page."),
    "not_found": ("找不到该页面。", "There is no such page."),
    "back_home": ("返回首页", "Back to the console"),
    "invalid_input": ("输入有误", "Invalid input"),
    # fairs: the organizer's pages
    "fairs": ("展会", "Fairs"),
    "fair_name": ("展会名称", "Fair"),
    "venue": ("场馆", "Venue"),
    "category": ("展会类别", "Category"),
    "fair_dates": ("展期", "Dates"),
    "region_code": ("行政区划代码", "Region code"),
    "starts_on": ("开幕日期", "Opens on"),
    "ends_on": ("闭幕日期", "Closes on"),
    "no_fairs": ("尚无展会。", "No fairs yet."),
    "register_fair": ("登记展会", "Register a fair"),
    "form_has_errors": ("表单有误，请修改：", "Please correct the form:"),
    "organizer": ("主办方", "Organizer"),
    "upload_exhibits": ("上传参展商和展品", "Upload exhibitors and exhibits"),
    "upload_exhibits_hint": (
        "CSV、JSON Lines 或 JSON 文件，每行一件展品："
        "参展商、统一社会信用代码、展位、展品、类别、标识。",
        "A CSV, JSON Lines or JSON file, one exhibit a row: exhibitor, credit code, booth, "
        "exhibit, class, mark.",
    ),
    "exhibit_file": ("展品文件", "Exhibit file"),
    "upload": ("上传", "Upload"),
    "file_rejected": (
        "文件未导入，请修改以下各行后重新上传：",
        "The file was not imported; correct these rows and upload it again:",
    ),
    "line": ("行", "Row"),
    "field": ("字段", "Field"),
    "problem": ("问题", "Problem"),
    "pre_exhibition_check": ("展前核查", "Pre-exhibition check"),
    "exhibits": ("件展品", "exhibits"),
    "booth": ("展位", "Booth"),
    "no_exhibitors": ("尚无参展商。", "No exhibitors yet."),
    "flag_cleared": ("已排除", "Cleared"),
    "flag_upheld": ("维持标记", "Upheld"),
    "do_cleared": ("排除标记", "Clear the flag"),
    "do_upheld": ("维持标记", "Uphold the flag"),
    "done_registered": ("展会已登记。", "The fair is registered."),
    "done_uploaded": (
        "参展商和展品已导入并核查。",
        "Exhibitors and exhibits imported and checked.",
    ),
    "done_reviewed": ("已记录您的决定。", "Your decision is recorded."),
    "done_flagged": ("已标记该展品。", "The exhibit is flagged."),
    # fairs: why an exhibit is flagged (ipfed.registry.errors, ipfed.nodes.fairs.inspection)
    "imitates_trademark": ("疑似仿冒注册商标", "Looks like a registered trademark"),
    "clone_suspected": ("疑似克隆标识", "Suspected cloned mark"),
    "foreign_verification_url": (
        "核验地址不属于本联盟",
        "Verification address outside the federation",
    ),
    "unknown_mark": ("本局无此标识", "No such mark at this office"),
    "flagged_by_inspector": ("巡查人员标记", "Flagged by an inspector"),
    "malformed_token": ("标识格式错误", "Malformed mark"),
    "bad_signature": ("签名无效", "Invalid signature"),
    "unknown_issuer": ("签发机构未知", "Unknown issuer"),
    "revoked_issuer": ("签发机构已被撤销", "Issuer revoked"),
    "not_yet_valid": ("尚未生效", "Not yet valid"),
    "status_unavailable": ("无法确认状态", "Status unavailable"),
    "stale_status_list": ("状态列表过旧", "Status list out of date"),
    "status_list_rollback": ("状态列表被回退", "Status list rolled back"),
    # the same refusal when issuing (classes not registered) and when checking a product
    "out_of_scope": ("超出注册的类别范围", "Outside the registered classes"),
    "unlicensed_seller": ("使用者未获许可", "Seller not licensed"),
    "verification_failed": ("核验未通过", "Verification failed"),
    "not_issuer": ("非本局签发", "Issued by another office"),
    "invalid": ("无效", "Invalid"),
    # fairs: errors of their forms
    "fair_started": (
        "展会已开幕，不能再登记展品。",
        "The fair has opened: exhibits are registered before.",
    ),
    "duplicate_exhibitor": ("该参展商已登记。", "An exhibitor is already registered."),
    "not_your_fair": ("这不是您主办的展会。", "This is not your fair."),
    "fair_not_found": ("找不到该展会。", "There is no such fair."),
    "exhibit_not_found": ("找不到该展品。", "There is no such exhibit."),
    "flag_not_found": ("找不到该标记。", "There is no such flag."),
    "fair_not_open": ("展会不在展期内。", "The fair is not open."),
    "future_scan": ("扫码时间在未来。", "The scan's time is in the future."),
    "unreadable_file": ("无法读取文件", "Unreadable file"),
    "empty_file": ("文件中没有展品", "No exhibits in the file"),
    "invalid_uscc": ("统一社会信用代码无效", "Invalid credit code"),
    "exhibitor_mismatch": ("同一代码对应不同参展商", "One credit code, two exhibitors"),
    # fairs: the inspector's phone page
    "patrol": ("展会巡查", "Fair patrol"),
    "pick_fair": ("请选择展会：", "Pick the fair:"),
    "no_open_fairs": ("今天没有开展中的展会。", "No fair is open today."),
    "pick_booth": ("选择展位", "Pick the booth"),
    "scan_mark": ("拍照扫码核验", "Scan the mark"),
    "check_photo": ("核验照片", "Check the photo"),
    "scan_live": ("打开摄像头连续扫码", "Scan with the live camera"),
    "flag_exhibit": ("标记该展品", "Flag the exhibit"),
    "patrol_valid": ("标识有效", "Mark valid"),
    "patrol_invalid": ("标识存疑", "Mark not valid"),
    "no_qr_in_photo": (
        "照片中未识别到二维码，请对准二维码重拍。",
        "No QR code could be read in the photo: take it again, closer.",
    ),
    "not_a_mark": ("该二维码不是知识产权标识。", "This QR code is not a mark."),
    # the platform's mark check (nodes/console/check.py)
    "check_mark": ("核验标识", "Check a mark"),
    "check_intro": (
        "粘贴标识二维码中的网址，上传标识照片，或用手机摄像头扫码。",
        "Paste the URL in the mark's QR code, upload a photo of its label, or scan it.",
    ),
    "mark_url": ("标识网址或编码", "The mark's URL or token"),
    "mark_photo": ("标识照片", "A photo of the mark"),
    "seller_uscc": ("卖家统一社会信用代码（可选）", "The seller's credit code (optional)"),
    "seller_code": ("卖家", "Seller"),
    "seller_holder": ("是该标识的权利人", "is the mark's holder"),
    "seller_licensee": ("是该标识的被许可人", "is the mark's licensee"),
    "seller_reseller": (
        "转售带有正品单件码的商品（任何人均可转售）",
        "resells a genuine unit (anyone may)",
    ),
    "seller_unauthorised": (
        "既不是权利人，也不是被许可人，无权使用该标识",
        "is neither the holder nor the licensee: not entitled to use the mark",
    ),
    "check_record": (
        "记录为一次平台核验（用于发现复制的标识）",
        "Record the check as a scan (to catch copied marks)",
    ),
    "check_recorded": ("已记录本次核验。", "The check is recorded."),
    "check_new_clone_alerts": ("新的克隆预警：", "New clone alerts: "),
    "check_not_recorded": (
        "未记录：该标识不是本局签发的标识。",
        "Not recorded: this is not a mark this office issued.",
    ),
    "check_another": ("再核验一个标识", "Check another mark"),
    "check": ("核验", "Check"),
    "mark_missing": (
        "请粘贴标识网址，或上传标识照片。",
        "Paste the mark's URL or upload its photo.",
    ),
    "not_a_mark_url": ("这不是标识的网址或编码。", "This is neither a mark's URL nor its token."),
}

# A detector's reasons (ipfed.detection.reasons): code -> its Chinese sentence; its
# English one is the engine's own.
REASONS: dict[str, str] = {
    "resembles_mark": "「{written}」与{holder}的注册商标 {right}「{shown}」近似",
    "written_in_pinyin": "以拼音书写",
    "class_unknown": "商品未注明类别；该商标核定使用第 {classes} 类",
    "class_same": "同属尼斯分类第 {nice_class} 类",
    "class_similar": "第 {nice_class} 类与该商标的第 {related} 类类似",
    "class_well_known": "驰名商标，保护范围超出其第 {classes} 类",
    "seller_not_licensed": "卖家既不是权利人，也不是被许可人",
    "variant_form": "「{written}」是「{registered}」的异体或繁体字",
    "sounds_like": "「{written}」与「{registered}」同音",
    "sounds_close": "「{written}」与「{registered}」音近",
    "looks_like": "「{written}」与「{registered}」形近",
    "repeats_character": "「{written}」重复了「{registered}」中的字",
    "swapped": "「{written}」颠倒了字序",
    "drawn_like": "「{written}」与「{registered}」字形相同",
    "spelled_like": "「{written}」与「{registered}」拼写近似",
    "not_a_patent_number": "「{written}」不可能是专利号",
    "patent_fabricated": "登记簿中没有专利 {number}：该号码系编造",
    "patent_pending_as_granted": "{number} 尚在申请中，却标为已授权",
    "patent_invalidated": "{number} 已被宣告无效",
    "patent_expired": "{number} 已失效",
    "patent_expired_on": "{number} 已于 {date} 期满失效",
    "patent_kind_misstated": "{number} 是{kind}，却标为{claimed}",
    "patent_not_licensed": "{number} 属于{holder}，其未许可该卖家",
    "every_claim_element": "商品描述具备{holder}的专利 {number}「{title}」权利要求1的全部技术特征",
    "elements_found": "具备的技术特征：{elements}",
    "no_elements_missing": "缺少的技术特征：无",
    "design_drawing_matched": (
        "商品图片与{holder}的外观设计 {number}「{title}」的附图相符（128 位哈希中有 {bits} 位不同）"
    ),
    "locarno_class": "洛迦诺分类 {locarno_class}",
    "jurisdiction": "管辖地 {region_code}：{place}：{text}",
}
# The codes a reason's parameters may hold (ipfed.detection.reasons.TERMS), in Chinese.
REASON_TERMS: dict[str, str] = {
    "invention": "发明专利",
    "utility": "实用新型专利",
    "design": "外观设计专利",
    "shipping_origin": "发货地",
    "registered_address": "注册地址",
    "earlier_case": "既往案件",
}

MISSING: set[str] = set()


def words(code: object, lang: str = DEFAULT) -> str:
    """The words for ``code`` in ``lang``; the code itself when it has none (recorded)."""
    key = str(code)
    entry = CATALOGUE.get(key)
    if entry is None:
        if key not in MISSING:
            MISSING.add(key)
            log.warning("the console has no words for %r", key)
        return key
    return entry[LANGUAGES.index(lang) if lang in LANGUAGES else 0]


def words_markup(code: object, lang: str = DEFAULT) -> Markup:
    """As :func:`words`, for templates: a missing code is marked ``data-untranslated``."""
    if str(code) in CATALOGUE:
        return Markup(escape(words(code, lang)))
    words(code, lang)  # recorded
    return Markup('<span data-untranslated="{0}">{0}</span>').format(str(code))


def reason_words(reason: Mapping[str, Any] | str, lang: str = DEFAULT) -> str:
    """A detector's reason in ``lang``: a stored code and its parameters put in words; a
    sentence stored before reasons had codes, as it is."""
    if isinstance(reason, str):
        return reason
    found = Reason.from_json(reason)
    if found.code not in ENGLISH:  # a reason of a newer engine
        log.warning("the console has no words for the reason %r", found.code)
        return found.code
    if lang == "en" or found.code not in REASONS:
        return str(found)
    try:
        return render(REASONS[found.code], dict(found.params), _chinese_term)
    except (KeyError, IndexError, ValueError):  # parameters from another version
        return str(found)


def _chinese_term(_name: str, value: str) -> str:
    return REASON_TERMS.get(value, value)


def language_of(request: Request) -> Lang:
    """``?lang=`` if given and known, else the language cookie, else Chinese."""
    for chosen in (request.query_params.get("lang"), request.cookies.get(COOKIE)):
        if chosen in LANGUAGES:
            return chosen
    return DEFAULT
