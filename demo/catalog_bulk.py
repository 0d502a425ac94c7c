"""A realistic catalogue at scale: products and SKUs of every leaf category, fast.

``generate_catalog`` only adds products. On PostgreSQL it streams rows with COPY (psycopg 3) in
batches and computes the search vectors in SQL; on SQLite (the small demo) it uses bulk_create.
The same seed gives the same products (names, brands, specs, prices, stock, suppliers); only the
timestamps move with the clock, as they are spread over the two years before the run.

This bypasses catalog.services on purpose — a million SKUs through product_save would take
hours — so it repeats what product_save and product_refresh_summary derive: SKU unit prices
through ``catalog.units.unit_price``, the product's lowest prices and stock, ``is_visible``
(on sale and its supplier active) and the search fields through ``catalog.search``. It does not
check the suppliers' qualifications: the rows are demo and benchmark data.
"""

from __future__ import annotations

import bisect
import datetime
import hashlib
import io
import itertools
import json
import random
import time
from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TextIO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone

from catalog import search
from catalog.models import Category, Product, ProductImage, ProductStatus, Sku, Storage
from catalog.units import BASIS_SIZE, UNIT_SIZE, unit_price
from core.money import CENT
from regions.models import County
from suppliers.models import Supplier, SupplierStatus
from suppliers.rules import ProductLine

D = Decimal
BATCH = 20_000  # products per COPY batch (≈ 44k SKUs): one transaction each
IMAGE_ROWS_UP_TO = 5_000  # ProductImage rows (sharing the category files) only for small loads
CJK_FONTS = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
]
SPAN = datetime.timedelta(days=730)


# --- What each leaf sells ---------------------------------------------------------------------------

# (label, net quantity, unit, pieces per pack)
Spec = tuple[str, str, str, int]


@dataclass(frozen=True)
class Item:
    """A kind of product: its name, famous origins (may prefix the name) and unit-price range."""

    name: str
    origins: tuple[str, ...] = ()
    low: str = ""  # ¥ per price basis; empty: the leaf's range
    high: str = ""


@dataclass(frozen=True)
class Leaf:
    slug: str
    weight: int  # share of the catalogue
    items: tuple[Item, ...]
    specs: tuple[Spec, ...]
    low: str  # ¥ per the leaf's price basis
    high: str
    grades: tuple[str, ...]
    storage: str
    shelf_life: tuple[int, int]
    blurb: str
    colour: tuple[int, int, int]


def _i(name: str, *origins: str, low: str = "", high: str = "") -> Item:
    return Item(name, tuple(origins), low, high)


FRESH = ("", "", "当季现摘", "新鲜", "产地直发", "精选大果", "农家自种", "一级果")
PACKED = ("", "", "", "精选", "特级", "一级", "家庭装", "礼盒装", "农家自产", "产地直发")

# fmt: off
LEAVES: tuple[Leaf, ...] = (
    Leaf("rice", 6, (
        _i("大米", "五常", "盘锦", "响水", "恩施", "通江"), _i("稻花香大米", "五常"), _i("长粒香米"),
        _i("富硒大米", "恩施", "安康"), _i("香米"), _i("糯米"), _i("胚芽米", high="16"),
    ), (("2.5kg/袋", "2.5", "kg", 1), ("5kg/袋", "5", "kg", 1), ("10kg/袋", "10", "kg", 1),
        ("500g×4袋", "500", "g", 4), ("25kg/袋", "25", "kg", 1)),
        "3", "12", ("", "", "新米", "当季新米", "一级", "真空包装", "农家自产"), Storage.COOL, (180, 365),
        "稻谷当季收割，低温仓储，现磨现发。", (236, 226, 196)),
    Leaf("flour-noodles", 3, (
        _i("高筋面粉"), _i("小麦粉"), _i("手工挂面"), _i("鸡蛋挂面"), _i("荞麦面"), _i("红薯粉条"), _i("米粉"),
    ), (("500g/袋", "500", "g", 1), ("1kg/袋", "1", "kg", 1), ("2.5kg/袋", "2.5", "kg", 1),
        ("400g×5把", "400", "g", 5)),
        "2", "10", PACKED, Storage.COOL, (180, 365), "传统工艺，不添加增白剂。", (240, 228, 200)),
    Leaf("cooking-oil", 4, (
        _i("菜籽油", "罗田", "汉中"), _i("压榨菜籽油"), _i("山茶油", "油茶之乡", low="90", high="200"),
        _i("茶籽油", low="80", high="180"), _i("花生油"), _i("核桃油", low="80", high="160"), _i("芝麻油", low="40", high="90"),
    ), (("5L/桶", "5", "L", 1), ("2.5L/桶", "2.5", "L", 1), ("1.8L/瓶", "1.8", "L", 1),
        ("500ml/瓶", "500", "ml", 1), ("250ml×2瓶", "250", "ml", 2)),
        "16", "60", ("", "", "物理压榨", "一级", "非转基因", "古法小榨", "家庭装"), Storage.AMBIENT, (365, 540),
        "物理压榨，非转基因原料。", (236, 200, 90)),
    Leaf("coarse-grains", 4, (
        _i("小米", "沁州", "敖汉"), _i("黑米"), _i("红豆"), _i("绿豆"), _i("薏米"), _i("燕麦米"), _i("荞麦"),
        _i("玉米糁"), _i("黄豆"),
    ), (("500g/袋", "500", "g", 1), ("1kg/袋", "1", "kg", 1), ("2.5kg/袋", "2.5", "kg", 1),
        ("400g×6袋", "400", "g", 6)),
        "4", "15", PACKED, Storage.COOL, (180, 365), "五谷杂粮，颗粒饱满。", (214, 180, 120)),
    Leaf("citrus", 6, (
        _i("脐橙", "赣南", "秭归", "奉节", "寻乌"), _i("蜜桔", "南丰"), _i("沙田柚", low="2", high="6"),
        _i("蜜柚", "琯溪"), _i("沃柑"), _i("椪柑"), _i("血橙"), _i("夏橙", "秭归"),
    ), (("5斤装", "2.5", "kg", 1), ("10斤装", "5", "kg", 1), ("带箱10斤（净重4.5kg）", "4.5", "kg", 1),
        ("3kg/箱", "3", "kg", 1), ("9斤/箱", "4.5", "kg", 1)),
        "2", "10", FRESH, Storage.COOL, (15, 45), "树上熟透再采摘，坏果包赔。", (244, 150, 40)),
    Leaf("apple-pear", 4, (
        _i("苹果", "洛川", "静宁", "昭通", "延安"), _i("红富士苹果"), _i("冰糖心苹果", "阿克苏"), _i("丑苹果"),
        _i("香梨", "库尔勒"), _i("雪梨"), _i("酥梨", "砀山"),
    ), (("5斤装", "2.5", "kg", 1), ("10斤装", "5", "kg", 1), ("12枚装（约3kg）", "3", "kg", 1),
        ("8kg/箱", "8", "kg", 1)),
        "3", "12", FRESH, Storage.COOL, (20, 60), "高原日照充足，脆甜多汁。", (210, 60, 50)),
    Leaf("kiwi", 3, (
        _i("猕猴桃", "周至", "苍溪", "蒲江", "修文"), _i("红心猕猴桃", "苍溪"), _i("黄心猕猴桃"),
        _i("徐香猕猴桃", "周至"), _i("软枣猕猴桃", low="10", high="25"),
    ), (("12枚装（约1.5kg）", "1.5", "kg", 1), ("5斤装", "2.5", "kg", 1), ("10斤装", "5", "kg", 1),
        ("24枚装（约3kg）", "3", "kg", 1)),
        "4", "15", FRESH, Storage.REFRIGERATED, (15, 40), "自然成熟，酸甜适口。", (120, 150, 60)),
    Leaf("other-fruit", 4, (
        _i("蓝莓", low="20", high="45"), _i("樱桃", low="20", high="50"), _i("李子"), _i("杨梅"), _i("葡萄"),
        _i("火龙果"), _i("芒果", "攀枝花", "百色"), _i("荔枝"), _i("百香果"),
    ), (("1kg/箱", "1", "kg", 1), ("5斤装", "2.5", "kg", 1), ("125g×4盒", "125", "g", 4), ("3kg/箱", "3", "kg", 1)),
        "5", "20", FRESH, Storage.REFRIGERATED, (5, 20), "产地直采，冷链发货。", (130, 60, 130)),
    Leaf("highland-veg", 3, (
        _i("高山白菜"), _i("高山萝卜"), _i("甘蓝"), _i("辣椒"), _i("四季豆"), _i("莴笋"), _i("菜心"),
        _i("高山蔬菜组合"),
    ), (("2.5kg/箱", "2.5", "kg", 1), ("5kg/箱", "5", "kg", 1), ("1kg/袋", "1", "kg", 1)),
        "1.5", "8", FRESH, Storage.REFRIGERATED, (5, 15), "海拔1200米以上种植，当天采摘。", (90, 170, 80)),
    Leaf("tubers", 3, (
        _i("土豆", "巴东", "威宁", "定西"), _i("红薯"), _i("紫薯"), _i("铁棍山药", "温县"), _i("芋头", "荔浦"),
        _i("魔芋"), _i("马铃薯"),
    ), (("5斤装", "2.5", "kg", 1), ("10斤装", "5", "kg", 1), ("10kg/袋", "10", "kg", 1)),
        "1.5", "12", FRESH, Storage.COOL, (20, 60), "沙壤土种植，粉糯香甜。", (170, 130, 80)),
    Leaf("pork", 3, (
        _i("黑猪肉"), _i("土猪五花肉"), _i("猪前腿肉"), _i("猪排骨", low="30", high="55"), _i("黑猪里脊"),
    ), (("500g/份", "500", "g", 1), ("1kg/份", "1", "kg", 1), ("2kg/份", "2", "kg", 1), ("5kg/箱", "5", "kg", 1)),
        "18", "45", ("", "", "散养", "冷鲜", "当日现杀"), Storage.FROZEN, (90, 180), "林下散养12个月以上，冷链配送。",
        (200, 90, 90)),
    Leaf("poultry", 3, (
        _i("土鸡"), _i("散养土鸡"), _i("乌鸡", "泰和"), _i("麻鸭"), _i("大白鹅"), _i("鸡腿", low="15", high="30"),
    ), (("约1.5kg/只", "1.5", "kg", 1), ("约2kg/只", "2", "kg", 1), ("1kg/份", "1", "kg", 1)),
        "15", "50", ("", "", "散养", "冷鲜", "林下放养"), Storage.FROZEN, (90, 180), "林下放养，谷物喂养。",
        (230, 190, 120)),
    Leaf("eggs", 3, (
        _i("土鸡蛋"), _i("散养鸡蛋"), _i("乌鸡蛋", low="1.5", high="3.5"), _i("鸭蛋"), _i("咸鸭蛋", "高邮"),
        _i("鹌鹑蛋", low="0.3", high="0.8"),
    ), (("30枚/盒", "30", "piece", 1), ("20枚/盒", "20", "piece", 1), ("60枚/箱", "60", "piece", 1),
        ("10枚/盒", "10", "piece", 1)),
        "0.8", "2.5", ("", "", "散养", "新鲜", "林下散养"), Storage.REFRIGERATED, (20, 45), "林下散养，每日现捡。",
        (240, 210, 170)),
    Leaf("cured-meat", 4, (
        _i("腊肉", "恩施", "湘西", "巴东"), _i("黑猪腊肉", "大别山"), _i("烟熏腊肉", "湘西"), _i("腊肠"),
        _i("香肠"), _i("腊排骨"),
    ), (("500g/袋", "500", "g", 1), ("1kg/袋", "1", "kg", 1), ("2.5kg/箱", "2.5", "kg", 1),
        ("250g×4袋", "250", "g", 4)),
        "30", "80", ("", "", "柴火烟熏", "农家自制", "真空包装", "礼盒装"), Storage.COOL, (180, 365),
        "柴火慢熏，传统工艺。", (150, 60, 40)),
    Leaf("fish", 2, (
        _i("草鱼"), _i("鲫鱼"), _i("鲈鱼"), _i("冷水鱼", low="25", high="60"), _i("Q弹鱼丸"), _i("腊鱼"),
    ), (("500g/袋", "500", "g", 1), ("1kg/袋", "1", "kg", 1), ("2.5kg/箱", "2.5", "kg", 1)),
        "8", "40", ("", "", "冷链", "鲜活", "生态养殖"), Storage.FROZEN, (90, 270), "山泉水生态养殖。",
        (80, 140, 190)),
    Leaf("green-tea", 6, (
        _i("绿茶", "恩施", "宜昌", "英山"), _i("富硒绿茶", "恩施", "紫阳"), _i("富硒茶", "恩施", "紫阳"), _i("毛尖", "信阳", "都匀"), _i("玉露", "恩施"),
        _i("云雾茶", "庐山"), _i("毛峰", "黄山"), _i("翠芽", "湄潭"),
    ), (("250g/罐", "250", "g", 1), ("125g/盒", "125", "g", 1), ("500g/袋", "500", "g", 1),
        ("50g×4罐", "50", "g", 4)),
        "50", "600", ("", "明前特级", "雨前一级", "高山云雾", "新茶", "特级", "礼盒装"), Storage.COOL, (365, 540),
        "高山茶园，手工采摘。", (86, 140, 60)),
    Leaf("black-tea", 3, (
        _i("红茶"), _i("宜红茶", "宜昌"), _i("工夫红茶", "祁门"), _i("滇红", "凤庆"), _i("英德红茶", "英德"),
    ), (("250g/罐", "250", "g", 1), ("200g/袋", "200", "g", 1), ("100g×3袋", "100", "g", 3)),
        "60", "500", ("", "特级", "一级", "新茶", "礼盒装"), Storage.COOL, (540, 730), "传统工艺，汤色红亮。",
        (150, 60, 40)),
    Leaf("dark-tea", 3, (
        _i("黑茶", "安化"), _i("茯砖茶", "安化"), _i("普洱茶", "普洱", "勐海"), _i("六堡茶", "梧州"),
        _i("青砖茶", "赤壁"),
    ), (("357g/饼", "357", "g", 1), ("1kg/块", "1", "kg", 1), ("500g/盒", "500", "g", 1)),
        "40", "400", ("", "陈年", "特级", "金花", "礼盒装"), Storage.COOL, (1095, 3650), "越陈越香。",
        (90, 60, 40)),
    Leaf("mushrooms", 4, (
        _i("香菇", "随州", "西峡", "庆元"), _i("花菇"), _i("黑木耳", "东宁", "房县"), _i("木耳"),
        _i("银耳", "通江"), _i("羊肚菌", low="200", high="500"), _i("茶树菇"), _i("猴头菇"),
    ), (("250g/袋", "250", "g", 1), ("500g/袋", "500", "g", 1), ("100g×5袋", "100", "g", 5), ("1kg/箱", "1", "kg", 1)),
        "20", "80", ("", "", "干货", "椴木", "特级", "农家自晒", "无根"), Storage.COOL, (365, 540),
        "原木栽培，自然晾晒。", (130, 90, 60)),
    Leaf("nuts", 3, (
        _i("核桃", "云南", "巴东", "汾阳"), _i("纸皮核桃", "阿克苏"), _i("板栗", "罗田", "迁西"),
        _i("山核桃", "临安"), _i("松子"), _i("花生"), _i("葵花籽"),
    ), (("500g/袋", "500", "g", 1), ("1kg/袋", "1", "kg", 1), ("2.5kg/箱", "2.5", "kg", 1),
        ("250g×4袋", "250", "g", 4)),
        "10", "60", ("", "", "新货", "薄壳", "原味", "精选"), Storage.COOL, (180, 365), "颗粒饱满，当季新货。",
        (160, 120, 80)),
    Leaf("dried-fruit", 3, (
        _i("红枣", "若羌", "和田"), _i("葡萄干", "吐鲁番"), _i("柿饼", "富平"), _i("桂圆干"), _i("枸杞", "中宁"),
        _i("果干"),
    ), (("500g/袋", "500", "g", 1), ("1kg/袋", "1", "kg", 1), ("250g×4袋", "250", "g", 4)),
        "10", "60", PACKED, Storage.COOL, (270, 365), "自然晾晒，无添加。", (170, 40, 40)),
    Leaf("snacks-baked", 3, (
        _i("烧饼", "土家"), _i("酥饼"), _i("麻花"), _i("桃酥"), _i("月饼"), _i("米饼"), _i("锅巴"),
    ), (("500g/袋", "500", "g", 1), ("250g×4袋", "250", "g", 4), ("1kg/箱", "1", "kg", 1)),
        "8", "40", ("", "", "手工", "传统", "香脆", "家庭装"), Storage.AMBIENT, (60, 180), "传统手工制作。",
        (220, 170, 90)),
    Leaf("snacks-other", 3, (
        _i("牛肉干", low="50", high="120"), _i("豆干"), _i("魔芋爽"), _i("红薯干"), _i("苕片"), _i("泡椒凤爪"),
        _i("鱼丸"),
    ), (("500g/袋", "500", "g", 1), ("100g×5袋", "100", "g", 5), ("250g/袋", "250", "g", 1)),
        "10", "50", ("", "", "香辣", "原味", "五香", "家庭装"), Storage.AMBIENT, (90, 270), "地方风味小吃。",
        (200, 110, 50)),
    Leaf("liquor", 3, (
        _i("白酒"), _i("酱香型白酒", low="200", high="600"), _i("浓香型白酒"), _i("苞谷酒"), _i("米酒", low="20", high="60"),
        _i("高粱酒"), _i("杨梅酒"),
    ), (("500ml/瓶", "500", "ml", 1), ("500ml×6瓶", "500", "ml", 6), ("2.5L/桶", "2.5", "L", 1),
        ("125ml/瓶", "125", "ml", 1)),
        "40", "300", ("", "", "52度", "42度", "纯粮酿造", "窖藏", "礼盒装"), Storage.AMBIENT, (3650, 3650),
        "纯粮固态发酵。", (180, 30, 40)),
    Leaf("juice", 2, (
        _i("猕猴桃汁"), _i("苹果汁"), _i("沙棘汁", low="20", high="50"), _i("刺梨汁"), _i("橙汁"), _i("酸梅汤"),
    ), (("250ml×12瓶", "250", "ml", 12), ("1L/瓶", "1", "L", 1), ("330ml×24罐", "330", "ml", 24)),
        "8", "40", ("", "", "NFC", "鲜榨", "无添加", "家庭装"), Storage.AMBIENT, (180, 365), "鲜果压榨。",
        (250, 180, 40)),
    Leaf("sauces", 3, (
        _i("辣椒酱"), _i("豆瓣酱", "郫县"), _i("剁辣椒"), _i("香菇酱"), _i("牛肉酱"), _i("黄豆酱"),
    ), (("280g/瓶", "280", "g", 1), ("500g/瓶", "500", "g", 1), ("280g×3瓶", "280", "g", 3)),
        "8", "40", ("", "", "香辣", "农家自制", "古法"), Storage.AMBIENT, (270, 540), "农家古法酿制。",
        (200, 40, 30)),
    Leaf("soy-vinegar", 2, (
        _i("酱油"), _i("米醋"), _i("陈醋", "保宁"), _i("香醋"), _i("黄豆酱油"), _i("生抽"),
    ), (("500ml/瓶", "500", "ml", 1), ("1L/瓶", "1", "L", 1), ("1.8L/桶", "1.8", "L", 1), ("5L/桶", "5", "L", 1)),
        "6", "40", ("", "", "古法酿造", "特级", "头道"), Storage.AMBIENT, (540, 730), "传统工艺，自然发酵。",
        (80, 50, 30)),
    Leaf("spices", 3, (
        _i("花椒", "汉源", "茂县", "韩城"), _i("干辣椒", "石柱"), _i("八角"), _i("桂皮"), _i("生姜粉"),
        _i("胡椒"), _i("藤椒", "洪雅"),
    ), (("100g/袋", "100", "g", 1), ("250g/袋", "250", "g", 1), ("500g/袋", "500", "g", 1)),
        "15", "120", ("", "", "特级", "精选", "无籽"), Storage.COOL, (365, 540), "自然晾晒，香味浓郁。",
        (190, 50, 30)),
    Leaf("honey", 5, (
        _i("土蜂蜜", "罗田", "神农架"), _i("中华蜂蜜"), _i("洋槐蜜"), _i("百花蜜"), _i("枣花蜜"),
        _i("野生土蜂蜜"), _i("椴树蜜", "长白山"), _i("蜂蜜"),
    ), (("500g/瓶", "500", "g", 1), ("250g/瓶", "250", "g", 1), ("1kg/瓶", "1", "kg", 1), ("500g×2瓶", "500", "g", 2)),
        "25", "150", ("", "", "原蜜", "农家自产", "成熟蜜", "礼盒装"), Storage.AMBIENT, (540, 730),
        "中华蜂一年一取，自然成熟。", (230, 170, 30)),
    Leaf("gift-boxes", 3, (
        _i("福利礼盒"), _i("年货礼盒"), _i("农特产礼盒"), _i("端午礼盒"), _i("中秋礼盒"), _i("工会慰问礼包"),
        _i("大米礼盒", low="60", high="200"),
    ), (("1盒", "1", "piece", 1), ("6盒/箱", "1", "piece", 6), ("1套", "1", "piece", 1)),
        "88", "598", ("", "", "精装", "员工福利", "节日"), Storage.AMBIENT, (180, 365), "多种农特产组合，适合单位福利采购。",
        (200, 40, 40)),
)
LEAF_BY_SLUG = {leaf.slug: leaf for leaf in LEAVES}

LINES: dict[str, tuple[str, ...]] = {
    ProductLine.GRAIN_OIL: ("rice", "flour-noodles", "cooking-oil", "coarse-grains"),
    ProductLine.FRESH_PRODUCE: ("citrus", "apple-pear", "kiwi", "other-fruit", "highland-veg", "tubers"),
    ProductLine.MEAT_EGGS: ("pork", "poultry", "eggs", "cured-meat"),
    ProductLine.AQUATIC: ("fish",),
    ProductLine.TEA: ("green-tea", "black-tea", "dark-tea"),
    ProductLine.DRIED_GOODS: ("mushrooms", "nuts", "dried-fruit", "spices"),
    ProductLine.PROCESSED_FOOD: ("snacks-baked", "snacks-other", "gift-boxes"),
    ProductLine.BEVERAGES: ("liquor", "juice"),
    ProductLine.CONDIMENTS: ("sauces", "soy-vinegar", "spices"),
    ProductLine.HONEY: ("honey",),
    ProductLine.NON_FOOD: ("gift-boxes",),
}
BRANDS = (
    "金果", "绿源", "山里红", "清泉", "丰禾", "云岭", "青山", "田园", "乡味", "古寨", "禾丰", "沃土", "佳禾", "农夫",
    "土家", "苗乡", "山货郎", "秦巴", "武陵", "乌蒙", "秀水", "峡江", "楚天", "巴山", "神农", "三峡", "恩泽", "润土",
    "源生", "山水", "溪谷", "云上", "高原红", "雪域", "黄土情", "老农", "大山", "稻香", "果然", "蜂之源",
)
# fmt: on
DESCRIPTIVE = ("高山", "农家", "生态", "有机", "富硒", "深山", "原生态", "土", "野生", "山区")
# 1–4 SKUs per product, ≈2.2 on average
SKU_COUNTS = (1, 2, 3, 4)
SKU_COUNT_WEIGHTS = (23, 39, 26, 12)


def county_stem(name: str) -> str:
    """ "巴东县" → "巴东", "恩施市" → "恩施": how a place is written in a product name."""
    for suffix in ("土家族苗族自治县", "土家族自治县", "苗族自治县", "自治县", "县", "市", "区", "旗"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


# --- Images -----------------------------------------------------------------------------------------


def _font(size: int):
    from PIL import ImageFont

    for path in CJK_FONTS:
        if Path(path).exists():
            try:
                return ImageFont.truetype(path, size=size)
            except OSError:
                continue
    return None


def category_images(leaves: dict[str, Category]) -> dict[str, tuple[str, str, str, int, int]]:
    """One tile per leaf category (and its thumbnail), saved once to MEDIA storage and shared by
    every generated product of that category: slug → (image, thumbnail, sha256, width, height)."""
    from PIL import Image, ImageDraw

    made = {}
    side, thumb_side = 800, 400
    font = _font(150)
    for slug, category in leaves.items():
        image_name, thumb_name = f"products/demo/{slug}.jpg", f"products/demo/{slug}-thumb.jpg"
        spec = LEAF_BY_SLUG.get(slug)
        colour = spec.colour if spec else (120, 140, 100)
        tile = Image.new("RGB", (side, side), colour)
        draw = ImageDraw.Draw(tile)
        light = tuple(min(255, c + 60) for c in colour)
        for i in range(6):  # a few discs so the tile reads as produce, not a flat swatch
            r = 90 + (i * 37) % 70
            cx, cy = 130 + (i * 211) % 560, 150 + (i * 137) % 520
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=light)
        if font is not None:
            draw.text(
                (side // 2, side // 2),
                category.name,
                fill=(255, 255, 255),
                font=font,
                anchor="mm",
                stroke_width=6,
                stroke_fill=(60, 60, 60),
            )
        else:  # no CJK font: a plain banner instead of text that would render as boxes
            draw.rectangle((100, 330, 700, 470), fill=(255, 255, 255))
        buffer = io.BytesIO()
        tile.save(buffer, "JPEG", quality=82)
        data = buffer.getvalue()
        thumb = tile.resize((thumb_side, thumb_side))
        thumb_buffer = io.BytesIO()
        thumb.save(thumb_buffer, "JPEG", quality=80)
        for name, content in ((image_name, data), (thumb_name, thumb_buffer.getvalue())):
            if not default_storage.exists(name):
                default_storage.save(name, ContentFile(content))
        made[slug] = (image_name, thumb_name, hashlib.sha256(data).hexdigest(), side, side)
    return made


# --- Generation -------------------------------------------------------------------------------------


@dataclass
class _Source:
    supplier_id: int
    county_id: int
    province_id: int
    county_name: str
    province_name: str
    stem: str
    brand: str
    visible: bool


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _shelf_price(value: Decimal) -> Decimal:
    """Prices as shops write them: ¥39.90 rather than ¥40.13."""
    if value >= 20:
        return max(D("19.90"), value.to_integral_value(rounding=ROUND_HALF_UP) - D("0.10"))
    return max(D("0.50"), value.quantize(D("0.1"), rounding=ROUND_HALF_UP))


def _random_price(rng: random.Random, low: str, high: str) -> Decimal:
    lo, hi = int(D(low) * 100), int(D(high) * 100)
    return D(rng.randint(lo, hi)) / 100


def _weight_grams(quantity: Decimal, unit: str, pack: int) -> int:
    dimension, size = UNIT_SIZE[unit]
    if dimension == "count":
        return int(quantity * pack * 60) + 300  # eggs ≈ 55 g each, gift boxes a few hundred grams a piece
    return int(quantity * size * pack * D("1.05")) + 150  # packaging


class _Generator:
    def __init__(self, *, seed: int, suppliers: list[Supplier], now: datetime.datetime, products: int):
        self.rng = random.Random(seed)
        self.now = now
        leaves = {c.slug: c for c in Category.objects.filter(children__isnull=True, is_active=True)}
        self.leaves = {slug: leaves[slug] for slug in sorted(leaves)}
        if not self.leaves:
            raise ValueError("There are no leaf categories: migrate first (catalog 0002 loads the tree).")
        self.slugs = list(self.leaves)
        self.leaf_weights = list(
            itertools.accumulate(LEAF_BY_SLUG[s].weight if s in LEAF_BY_SLUG else 2 for s in self.slugs)
        )
        self.parents = dict(
            Category.objects.filter(children__isnull=False).values_list("id", "name").distinct()
        )
        self.sources = self._sources(suppliers)
        self.by_leaf = self._suppliers_by_leaf(suppliers)
        # Timestamps walk forward through the last two years so that physical order follows
        # publication, as it would on a live site.
        self.step = SPAN / max(products, 1)
        self.clock = now - SPAN

    def _sources(self, suppliers: list[Supplier]) -> dict[int, _Source]:
        county_ids = {s.county_id for s in suppliers if s.county_id}
        counties = {
            c.pk: c
            for c in County.objects.filter(pk__in=county_ids)
            .select_related("province")
            .only("id", "name", "province_id", "province__name")
        }
        sources = {}
        for supplier in sorted(suppliers, key=lambda s: s.pk):
            county = counties.get(supplier.county_id)
            if county is None:
                continue
            sources[supplier.pk] = _Source(
                supplier_id=supplier.pk,
                county_id=county.pk,
                province_id=county.province_id,
                county_name=county.name,
                province_name=county.province.name,
                stem=county_stem(county.name),
                brand=self.rng.choice(BRANDS),
                visible=supplier.status == SupplierStatus.ACTIVE,
            )
        if not sources:
            raise ValueError("generate_catalog needs suppliers with a county.")
        return sources

    def _suppliers_by_leaf(self, suppliers: list[Supplier]) -> dict[str, tuple[list[int], list[float]]]:
        """Per leaf: the suppliers that deal in it, with cumulative Zipf-like weights (a few big
        cooperatives list most products, a long tail lists a handful)."""
        ids = sorted(self.sources)
        order = ids[:]
        self.rng.shuffle(order)
        weight = {pk: 1 / (rank + 1) ** 0.8 for rank, pk in enumerate(order)}
        lines = {s.pk: s.product_lines or [] for s in suppliers}
        by_leaf = {}
        for slug in self.slugs:
            dealers = [
                pk for pk in ids if not lines.get(pk) or any(slug in LINES.get(x, ()) for x in lines[pk])
            ]
            dealers = dealers or ids
            by_leaf[slug] = (dealers, list(itertools.accumulate(weight[pk] for pk in dealers)))
        return by_leaf

    def product(self, index: int) -> tuple[dict, list[dict]]:
        rng = self.rng
        # Every leaf first (so even a small catalogue covers the tree), then by popularity.
        if index < len(self.slugs):
            slug = self.slugs[index]
        else:
            slug = self.slugs[bisect.bisect_left(self.leaf_weights, rng.random() * self.leaf_weights[-1])]
        category = self.leaves[slug]
        spec = LEAF_BY_SLUG.get(slug) or LEAVES[0]
        dealers, cumulative = self.by_leaf[slug]
        source = self.sources[dealers[bisect.bisect_left(cumulative, rng.random() * cumulative[-1])]]
        item = rng.choice(spec.items)

        name, brand, geo = _naming(rng, spec, item, source)
        basis = category.price_basis
        skus = _skus(rng, spec, item, basis)
        certifications = _certifications(rng, geo)
        self.clock += self.step * rng.uniform(0.2, 1.8)
        published = min(self.clock, self.now)
        created = published - datetime.timedelta(hours=rng.randint(2, 24 * 20))
        updated = min(self.now, published + datetime.timedelta(hours=rng.randint(0, 24 * 60)))
        # Skewed sales: most products sell a little, a few sell thousands.
        sales = min(200_000, int((rng.paretovariate(1.2) - 1) * 30))
        parent_name = self.parents.get(category.parent_id, "")
        text = search.search_text(
            name=name,
            brand=brand,
            category=f"{category.name} {parent_name}",
            county=f"{source.county_name} {source.province_name}",
        )
        product = {
            "supplier_id": source.supplier_id,
            "category_id": category.pk,
            "top_category_id": category.parent_id or category.pk,
            "slug": slug,
            "name": name,
            "brand": brand,
            "origin_county_id": source.county_id,
            "origin_province_id": source.province_id,
            "description": f"{name}，产自{source.province_name}{source.county_name}。{spec.blurb}",
            "shelf_life_days": rng.randint(*spec.shelf_life),
            "storage": spec.storage,
            "certifications": sorted(certifications),
            "status": ProductStatus.ON_SALE,
            "status_changed_at": published,
            "is_visible": source.visible,
            "min_price": min(s["price"] for s in skus),
            "min_unit_price": min(s["unit_price"] for s in skus),
            "total_stock": sum(s["stock"] for s in skus),
            "sales_count": sales,
            "search_text": text,
            "created_at": created,
            "updated_at": updated,
            "published_at": published,
        }
        return product, skus


def _naming(rng, spec, item, source) -> tuple[str, str, bool]:
    """A product's name (origin, county or descriptive prefix, then grade), its brand, and whether the
    prefix is a geographical indication."""
    roll = rng.random()
    geo = False
    if item.origins and roll < 0.3:
        prefix, geo = rng.choice(item.origins), True
    elif roll < 0.7:
        prefix = source.stem
    elif roll < 0.9:
        prefix = rng.choice(DESCRIPTIVE)
    else:
        prefix = ""
    grade = rng.choice(spec.grades)
    name = f"{prefix}{item.name}" + (f" {grade}" if grade else "")
    brand = source.brand if rng.random() < 0.85 else ""
    return name, brand, geo


def _skus(rng, spec, item, basis) -> list[dict]:
    """One to a few pack sizes of the category's measure, bigger packs a little cheaper per unit."""
    basis_dimension, basis_size = BASIS_SIZE[basis]
    base = _random_price(rng, item.low or spec.low, item.high or spec.high)
    count = rng.choices(SKU_COUNTS, weights=SKU_COUNT_WEIGHTS)[0]
    options = [s for s in spec.specs if UNIT_SIZE[s[2]][0] == basis_dimension] or [("1件", "1", "piece", 1)]
    chosen = sorted(
        rng.sample(options, min(count, len(options))), key=lambda s: D(s[1]) * UNIT_SIZE[s[2]][1] * s[3]
    )
    skus = []
    for position, (label, quantity, unit, pack) in enumerate(chosen):
        qty = D(quantity)
        amount = qty * UNIT_SIZE[unit][1] * pack / basis_size
        discount = D(1) - D("0.04") * position  # bigger packs are a little cheaper per unit
        price = _shelf_price(_money(base * amount * discount))
        stock = 0 if rng.random() < 0.08 else rng.randint(1, 2000)
        skus.append(
            {
                "spec": label,
                "net_quantity": qty,
                "unit": unit,
                "pack_count": pack,
                "price": price,
                "unit_price": unit_price(
                    price=price, net_quantity=qty, unit=unit, pack_count=pack, basis=basis
                ),
                "stock": stock,
                "weight_grams": _weight_grams(qty, unit, pack),
                "position": position,
            }
        )
    return skus


def _certifications(rng, geo: bool) -> list[str]:
    certifications = []
    if rng.random() < 0.12:
        certifications.append("green_food")
    if rng.random() < 0.04:
        certifications.append("organic")
    if geo and rng.random() < 0.5:
        certifications.append("geo_indication")
    return certifications


# --- Writing ----------------------------------------------------------------------------------------

PRODUCT_COLUMNS = (
    "id",
    "supplier_id",
    "category_id",
    "top_category_id",
    "name",
    "brand",
    "origin_county_id",
    "origin_province_id",
    "description",
    "shelf_life_days",
    "storage",
    "certifications",
    "status",
    "status_changed_at",
    "is_visible",
    "min_price",
    "min_unit_price",
    "total_stock",
    "sales_count",
    "main_thumbnail",
    "search_text",
    "created_at",
    "updated_at",
    "published_at",
)
SKU_COLUMNS = (
    "product_id",
    "spec",
    "net_quantity",
    "unit",
    "pack_count",
    "price",
    "unit_price",
    "stock",
    "weight_grams",
    "position",
    "is_active",
)
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False).translate(_ESCAPES)
    return str(value).translate(_ESCAPES)


def _copy_rows(rows: list[tuple]) -> str:
    return "".join("\t".join(map(_copy_value, row)) + "\n" for row in rows)


def _write_postgres(batch: list[tuple[dict, list[dict]]], images: dict, image_rows: bool) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('catalog_product', 'id')) FROM generate_series(1, %s)",
            [len(batch)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        # COPY into a scratch table, then one INSERT … SELECT computes the vectors with the same SQL
        # as search.product_index_update: each product row is written once, not inserted and then
        # rewritten by an UPDATE (which would double the table until a VACUUM).
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS fengshou_bulk_product "
            "(LIKE catalog_product INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
        )
        columns = ", ".join(PRODUCT_COLUMNS)
        product_rows = []
        sku_rows = []
        image_list = []
        for pk, (product, skus) in zip(ids, batch, strict=True):
            product["id"] = pk
            product["main_thumbnail"] = images[product["slug"]][1]
            product_rows.append(tuple(product[c] for c in PRODUCT_COLUMNS))
            for sku in skus:
                sku_rows.append((pk, *(sku[c] for c in SKU_COLUMNS[1:-1]), True))
            if image_rows:
                image, thumb, sha, width, height = images[product["slug"]]
                image_list.append((pk, image, thumb, width, height, sha, True, 0))
        raw = cursor.cursor  # the psycopg 3 cursor under Django's wrapper
        with raw.copy(f"COPY fengshou_bulk_product ({columns}) FROM STDIN") as copy:
            copy.write(_copy_rows(product_rows))
        cursor.execute(
            f"INSERT INTO catalog_product ({columns}, search_vector) "
            f"SELECT {columns}, {search.search_vector_sql('search_text')} FROM fengshou_bulk_product"
        )
        # ON COMMIT only empties it when this batch's transaction is the outermost one.
        cursor.execute("TRUNCATE fengshou_bulk_product")
        with raw.copy(f"COPY catalog_sku ({', '.join(SKU_COLUMNS)}) FROM STDIN") as copy:
            copy.write(_copy_rows(sku_rows))
        if image_list:
            with raw.copy(
                "COPY catalog_productimage (product_id, image, thumbnail, width, height, sha256, is_main, position) "
                "FROM STDIN"
            ) as copy:
                copy.write(_copy_rows(image_list))


def _write_orm(batch: list[tuple[dict, list[dict]]], images: dict, image_rows: bool) -> None:
    with transaction.atomic():
        fields = [c for c in PRODUCT_COLUMNS if c != "id"]
        products = [
            Product(**{f: product[f] for f in fields if f != "main_thumbnail"}) for product, _ in batch
        ]
        for obj, (product, _skus) in zip(products, batch, strict=True):
            obj.main_thumbnail = images[product["slug"]][1]
        Product.objects.bulk_create(products, batch_size=500)
        # auto_now/auto_now_add overwrote the timestamps: put the generated history back.
        for obj, (product, _skus) in zip(products, batch, strict=True):
            obj.created_at, obj.updated_at = product["created_at"], product["updated_at"]
        Product.objects.bulk_update(products, ["created_at", "updated_at"], batch_size=500)
        skus = [
            Sku(product_id=obj.pk, is_active=True, **sku)
            for obj, (_product, rows) in zip(products, batch, strict=True)
            for sku in rows
        ]
        Sku.objects.bulk_create(skus, batch_size=1000)
        if image_rows:
            ProductImage.objects.bulk_create(
                [
                    ProductImage(
                        product_id=obj.pk,
                        image=images[p["slug"]][0],
                        thumbnail=images[p["slug"]][1],
                        sha256=images[p["slug"]][2],
                        width=images[p["slug"]][3],
                        height=images[p["slug"]][4],
                        is_main=True,
                    )
                    for obj, (p, _skus) in zip(products, batch, strict=True)
                ],
                batch_size=500,
            )


def generate_catalog(
    *,
    products: int,
    seed: int,
    suppliers: list[Supplier],
    stdout: TextIO | None = None,
    now: datetime.datetime | None = None,
    image_rows: bool | None = None,
) -> dict:
    """Add ``products`` generated products (≈2.2 SKUs each) of ``suppliers`` across every leaf.

    Products of active suppliers are on sale and visible; the others are on sale but hidden, as
    catalog.services keeps them. ``image_rows`` (default: only up to 5,000 products) also adds a
    main ProductImage row per product, all sharing one file per category. Returns counts and
    timings. Call outside a transaction for big loads on PostgreSQL: each batch commits.
    """
    started = time.perf_counter()
    now = now or timezone.now()
    if products <= 0:
        return {"products": 0, "skus": 0, "visible": 0, "seconds": 0.0, "by_category": {}}
    generator = _Generator(seed=seed, suppliers=suppliers, now=now, products=products)
    images = category_images(generator.leaves)
    image_rows = products <= IMAGE_ROWS_UP_TO if image_rows is None else image_rows
    postgres = connection.vendor == "postgresql"
    write = _write_postgres if postgres else _write_orm

    made = skus = visible = 0
    by_category: Counter[str] = Counter()
    batch: list[tuple[dict, list[dict]]] = []
    for index in range(products):
        product, rows = generator.product(index)
        batch.append((product, rows))
        by_category[product["slug"]] += 1
        visible += product["is_visible"]
        skus += len(rows)
        if len(batch) >= BATCH:
            write(batch, images, image_rows)
            made += len(batch)
            batch = []
            if stdout:
                stdout.write(f"  {made:,} products, {skus:,} SKUs ({time.perf_counter() - started:.0f} s)\n")
    if batch:
        write(batch, images, image_rows)
        made += len(batch)
    with connection.cursor() as cursor:
        if postgres and not connection.in_atomic_block:
            # VACUUM also sets the visibility map, so counts can skip the heap (index-only work).
            cursor.execute("VACUUM (ANALYZE) catalog_product, catalog_sku")
        elif postgres:
            cursor.execute("ANALYZE catalog_product, catalog_sku")
    seconds = time.perf_counter() - started
    if stdout:
        stdout.write(f"Generated {made:,} products and {skus:,} SKUs in {seconds:.1f} s.\n")
    return {
        "products": made,
        "skus": skus,
        "visible": visible,
        "seconds": round(seconds, 2),
        "by_category": dict(by_category),
    }
