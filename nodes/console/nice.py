"""The 45 classes of the Nice classification, as the short headings people know them
by (the CNIPA's customary Chinese names, and English ones)."""

from ipfed.nodes.console.i18n import LANGUAGES

NICE_CLASSES: dict[int, tuple[str, str]] = {
    1: ("化学原料", "Chemicals"),
    2: ("颜料油漆", "Paints"),
    3: ("日化用品", "Cosmetics and cleaning preparations"),
    4: ("燃料油脂", "Industrial oils and fuels"),
    5: ("医药", "Pharmaceuticals"),
    6: ("金属材料", "Common metals"),
    7: ("机械设备", "Machines"),
    8: ("手工器械", "Hand tools"),
    9: ("科学仪器", "Scientific and electronic apparatus"),
    10: ("医疗器械", "Medical apparatus"),
    11: ("灯具空调", "Lighting, heating and cooling"),
    12: ("运输工具", "Vehicles"),
    13: ("军火烟火", "Firearms and fireworks"),
    14: ("珠宝钟表", "Jewellery and watches"),
    15: ("乐器", "Musical instruments"),
    16: ("办公用品", "Paper and stationery"),
    17: ("橡胶制品", "Rubber and plastics"),
    18: ("皮革皮具", "Leather goods"),
    19: ("建筑材料", "Building materials"),
    20: ("家具", "Furniture"),
    21: ("厨房洁具", "Household utensils"),
    22: ("绳网袋篷", "Ropes, nets and tents"),
    23: ("纱线丝", "Yarns and threads"),
    24: ("布料床单", "Textiles"),
    25: ("服装鞋帽", "Clothing, footwear and headwear"),
    26: ("纽扣拉链", "Lace, buttons and zips"),
    27: ("地毯席垫", "Carpets and mats"),
    28: ("健身器材", "Games, toys and sporting goods"),
    29: ("食品", "Meat, dairy and preserved foods"),
    30: ("方便食品", "Staple foods and confectionery"),
    31: ("农林生鲜", "Agricultural produce"),
    32: ("啤酒饮料", "Beers and soft drinks"),
    33: ("酒", "Alcoholic beverages"),
    34: ("烟草烟具", "Tobacco"),
    35: ("广告销售", "Advertising and retail"),
    36: ("金融物管", "Finance and real estate"),
    37: ("建筑修理", "Construction and repair"),
    38: ("通讯服务", "Telecommunications"),
    39: ("运输贮藏", "Transport and storage"),
    40: ("材料加工", "Treatment of materials"),
    41: ("教育娱乐", "Education and entertainment"),
    42: ("科技服务", "Science and technology services"),
    43: ("餐饮住宿", "Food and lodging"),
    44: ("医疗园艺", "Medical and agricultural services"),
    45: ("社会服务", "Legal and personal services"),
}


def nice_class_words(number: int, lang: str) -> str:
    """``第25类 服装鞋帽`` or ``Class 25: Clothing, footwear and headwear``."""
    zh, en = NICE_CLASSES[number]
    if lang == LANGUAGES[1]:
        return f"Class {number}: {en}"
    return f"第{number}类 {zh}"
