"""A demo chain that looks real: two regions, six stores, suppliers, products, defects,
one user per role, and a few weeks of history made through the real services."""

import random
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import DefectCode, Piece, Product, Region, Repair, RepairOperation, SparePart, Store, Supplier, User
from app.services import (
    batches,
    counter,
    grading,
    old_parts,
    registration,
    requisitions,
    returns,
    scanning,
    settings,
    stock,
    stocktakes,
)
from app.services.settings import rules as current_rules
from workshop.guarantee import Decision
from workshop.statuses import Blame, DefectKind, Direction, Grade, PieceStatus, Source

DEMO_PASSWORD = "demo1234"

REGIONS = [("EAST", "华东区"), ("SOUTH", "华南区")]
STORES = [
    ("SH001", "上海南京东路店", "EAST", "上海市黄浦区南京东路 800 号", "王晓燕", "021-6322 1188"),
    ("SH002", "上海徐家汇店", "EAST", "上海市徐汇区肇嘉浜路 1111 号", "陈立", "021-6407 5522"),
    ("HZ001", "杭州湖滨银泰店", "EAST", "杭州市上城区延安路 258 号", "赵敏", "0571-8702 3344"),
    ("GZ001", "广州天河城店", "SOUTH", "广州市天河区天河路 208 号", "李娜", "020-8559 6677"),
    ("SZ001", "深圳万象城店", "SOUTH", "深圳市罗湖区宝安南路 1881 号", "黄伟", "0755-8266 9900"),
    ("XM001", "厦门中山路店", "SOUTH", "厦门市思明区中山路 168 号", "林芳", "0592-2033 4455"),
]
SUPPLIERS = [
    ("SUP01", "宁波雅戈服饰有限公司", "周经理", "0574-8742 1000"),
    ("SUP02", "东莞华坚鞋业有限公司", "刘经理", "0769-8188 2000"),
    ("SUP03", "苏州丝绸纺织品有限公司", "吴经理", "0512-6522 3000"),
    ("SUP04", "泉州安踏运动用品有限公司", "郑经理", "0595-8592 4000"),
]
GARMENTS = [
    ("男士羊毛大衣", "外套", 420, 1299),
    ("女士双面呢大衣", "外套", 480, 1599),
    ("男士加绒连帽羽绒服", "羽绒服", 360, 999),
    ("女士轻薄长款羽绒服", "羽绒服", 330, 899),
    ("男士商务衬衫", "衬衫", 85, 299),
    ("女士真丝衬衫", "衬衫", 160, 499),
    ("男士休闲西装外套", "西装", 380, 1199),
    ("女士修身西装", "西装", 350, 1099),
    ("男士直筒牛仔裤", "裤装", 95, 359),
    ("女士高腰阔腿裤", "裤装", 88, 329),
    ("女士针织开衫", "针织", 110, 399),
    ("男士羊绒圆领毛衣", "针织", 260, 799),
    ("女士碎花连衣裙", "连衣裙", 140, 459),
    ("女士丝绒半身裙", "裙装", 90, 299),
    ("男士纯棉Polo衫", "T恤", 55, 199),
    ("女士印花短袖T恤", "T恤", 35, 129),
    ("男士防风冲锋衣", "户外", 240, 699),
    ("儿童加厚棉服", "童装", 120, 359),
    ("女士风衣（中长款）", "外套", 300, 999),
    ("男士夹克", "外套", 210, 659),
    ("女士羊毛围巾", "配饰", 60, 199),
    ("男士真皮腰带", "配饰", 70, 259),
]
SHOES = [
    ("男士真皮商务皮鞋", "皮鞋", 260, 799),
    ("女士尖头高跟鞋", "皮鞋", 180, 599),
    ("女士平底乐福鞋", "皮鞋", 150, 499),
    ("男士休闲板鞋", "休闲鞋", 120, 399),
    ("女士小白鞋", "休闲鞋", 110, 369),
    ("男士缓震跑步鞋", "运动鞋", 190, 599),
    ("女士轻便跑步鞋", "运动鞋", 170, 549),
    ("儿童魔术贴运动鞋", "童鞋", 80, 259),
    ("女士切尔西短靴", "靴子", 240, 759),
    ("女士过膝长靴", "靴子", 320, 999),
    ("男士马丁靴", "靴子", 260, 799),
    ("男士凉鞋", "凉鞋", 90, 299),
    ("女士坡跟凉鞋", "凉鞋", 95, 319),
    ("男士户外徒步鞋", "户外鞋", 280, 859),
    ("女士雪地靴", "靴子", 150, 459),
    ("男士帆布鞋", "休闲鞋", 60, 199),
    ("女士芭蕾舞鞋", "皮鞋", 130, 429),
    ("儿童学生皮鞋", "童鞋", 90, 289),
]
# (code, 中文, English, kind, suggested blame when scrapped)
DEFECTS = [
    (
        "Q01",
        "脱线、开边、破口（非磨损）",
        "Open seam, split or hole not caused by wear",
        DefectKind.QUALITY,
        Blame.SUPPLIER,
    ),
    ("Q02", "尺码与标识不符（超出公差）", "Size not as labelled beyond tolerance", DefectKind.QUALITY, Blame.SUPPLIER),
    ("Q03", "做工缺陷（左右不对称等）", "Visible workmanship fault (asymmetry)", DefectKind.QUALITY, Blame.SUPPLIER),
    ("Q04", "附件缺失", "Missing accessories", DefectKind.QUALITY, Blame.SUPPLIER),
    ("Q05", "无法去除的污渍", "Stain that cannot be removed", DefectKind.QUALITY, Blame.SUPPLIER),
    ("Q06", "粘合衬起泡", "Fusing bubbles", DefectKind.QUALITY, Blame.SUPPLIER),
    ("Q07", "拉链损坏", "Broken zip", DefectKind.QUALITY, Blame.SUPPLIER),
    ("Q08", "异常褪色", "Abnormal fading", DefectKind.QUALITY, Blame.SUPPLIER),
    ("Q09", "缩水", "Shrinking", DefectKind.QUALITY, Blame.SUPPLIER),
    ("Q10", "起球", "Pilling", DefectKind.QUALITY, Blame.SUPPLIER),
    ("Q11", "鞋底开胶", "Sole coming unglued", DefectKind.QUALITY, Blame.SUPPLIER),
    ("N01", "与图片色差", "Colour differs from photos", DefectKind.NON_QUALITY, Blame.HQ),
    ("N02", "线头", "Loose thread ends", DefectKind.NON_QUALITY, Blame.HQ),
    ("N03", "面料选择问题", "Fabric choice", DefectKind.NON_QUALITY, Blame.HQ),
    ("N04", "无领标", "No neck label", DefectKind.NON_QUALITY, Blame.HQ),
    ("N05", "纽扣丢失", "Lost buttons", DefectKind.NON_QUALITY, Blame.STORE),
    ("N06", "划粉印", "Chalk marks", DefectKind.NON_QUALITY, Blame.HQ),
    (
        "N07",
        "顾客洗涤或熨烫损坏",
        "Damage from washing or ironing by the customer",
        DefectKind.NON_QUALITY,
        Blame.STORE,
    ),
    ("N08", "人为损坏（撕破、污损）", "Damage by people (torn, dirty)", DefectKind.NON_QUALITY, Blame.STORE),
    ("N09", "原因无法判定", "Cause cannot be told", DefectKind.NON_QUALITY, None),
]
OPERATIONS = [
    ("RESTITCH", "重新缝合", "Restitch seam"),
    ("ZIP", "更换拉链", "Replace zip"),
    ("BUTTONS", "更换纽扣", "Replace buttons"),
    ("STAIN", "去除污渍", "Remove stain"),
    ("REGLUE", "鞋底重新粘合", "Re-glue sole"),
    ("PRESS", "熨烫整形", "Press and reshape"),
    ("HEEL", "更换鞋跟", "Replace heel"),
]
PARTS = [
    ("ZIP-20", "拉链 20 cm", "Zip 20 cm", "条"),
    ("ZIP-60", "拉链 60 cm", "Zip 60 cm", "条"),
    ("BTN", "纽扣", "Button", "颗"),
    ("GLUE", "鞋胶", "Shoe glue", "支"),
    ("THREAD", "缝线", "Thread", "卷"),
    ("HEEL", "鞋跟", "Heel", "对"),
]
# What the store room received first: (code, quantity, unit price, shelf, reorder point, quantity to order).
STOCK = [
    ("ZIP-20", 40, "3.20", "A-01", 10, 50),
    ("ZIP-60", 20, "6.80", "A-02", 5, 20),
    ("BTN", 500, "0.35", "B-01", 100, 500),
    ("GLUE", 30, "12.50", "C-01", 5, 20),
    ("THREAD", 60, "4.00", "C-02", 10, 40),
    ("HEEL", 12, "18.00", "D-01", 4, 10),
]
SIZES_GARMENT = ["S", "M", "L", "XL", "XXL", "160/84A", "170/88A", "175/92A"]
SIZES_SHOES = ["36", "37", "38", "39", "40", "41", "42", "43"]
COLOURS = ["黑色", "藏青", "驼色", "米白", "灰色", "酒红", "卡其"]


def _users(stores: dict[str, Store], regions: dict[str, Region]) -> list[tuple[User, str]]:
    people = [
        ("store", "王晓燕（南京东路店）", "store", stores["SH001"], None, "zh_Hans"),
        ("store2", "李娜（天河城店）", "store", stores["GZ001"], None, "zh_Hans"),
        ("region", "张强（华东区）", "region", None, regions["EAST"], "zh_Hans"),
        ("tech", "刘师傅", "technician", None, None, "zh_Hans"),
        ("finance", "孙会计", "finance", None, None, "zh_Hans"),
        ("admin", "系统管理员", "admin", None, None, "zh_Hans"),
    ]
    users = []
    for username, name, role, store, region, _locale in people:
        user = User(username=username, display_name=name, role=role, store=store, region=region, locale=None)
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
        users.append((user, role))
    return users


# The workshop as the demo's paper shows it (Administration → Settings); its name is CHAIN_NAME.
WORKSHOP = {
    "workshop_contact": "李建国",
    "workshop_phone": "021-6488 0100 转 208",
    "workshop_address": "上海市闵行区莘庄工业区春东路 508 号 3 号楼 售后服务部",
    "bank_name": "中国工商银行上海市闵行支行",
    "bank_account_name": "上海某某服饰有限公司",
    "bank_account_no": "1001 2290 0920 0012 345",
    "claim_due_days": 30,
    "claim_due_from": "sent",
}


def load(now: datetime | None = None, seed: int = 7) -> list[tuple[str, str, str]]:
    """Load the demo chain; returns (username, role, password) of the demo accounts."""
    now = now or clock.now()
    rng = random.Random(seed)
    regions = {code: Region(code=code, name=name) for code, name in REGIONS}
    db.session.add_all(regions.values())
    stores = {}
    for code, name, region, address, contact, phone in STORES:
        stores[code] = Store(
            code=code, name=name, region=regions[region], address=address, contact_name=contact, contact_phone=phone
        )
    db.session.add_all(stores.values())
    suppliers = [Supplier(code=c, name=n, contact_name=p, contact_phone=t) for c, n, p, t in SUPPLIERS]
    db.session.add_all(suppliers)
    products = []
    for i, (name, category, cost, price) in enumerate(GARMENTS):
        products.append(
            Product(
                style_code=f"G{24001 + i}",
                name=name,
                category=category,
                supplier=suppliers[(0, 2)[i % 2]],
                unit_cost=Decimal(cost),
                retail_price=Decimal(price),
            )
        )
    for i, (name, category, cost, price) in enumerate(SHOES):
        products.append(
            Product(
                style_code=f"S{24101 + i}",
                name=name,
                category=category,
                supplier=suppliers[(1, 3)[i % 2]],
                unit_cost=Decimal(cost),
                retail_price=Decimal(price),
            )
        )
    db.session.add_all(products)
    defects = [DefectCode(code=c, name_zh=zh, name_en=en, kind=k, suggested_blame=b) for c, zh, en, k, b in DEFECTS]
    db.session.add_all(defects)
    db.session.add_all(RepairOperation(code=c, name_zh=zh, name_en=en) for c, zh, en in OPERATIONS)
    db.session.add_all(SparePart(code=c, name_zh=zh, name_en=en, unit=u) for c, zh, en, u in PARTS)
    settings.save_workshop(WORKSHOP)
    users = _users(stores, regions)
    db.session.flush()
    by_role = {role: user for user, role in users}
    store_users = {u.store.code: u for u, role in users if role == "store"}
    _stock(by_role["technician"], suppliers[0], now)
    _history(rng, now, list(stores.values()), products, defects, by_role, store_users)
    _counter(now, list(stores.values()), products, defects, store_users)
    _spares_paperwork(by_role["technician"])
    db.session.flush()
    return [(u.username, role, DEMO_PASSWORD) for u, role in users]


def _new_piece(rng, products, defects, at_delivery_days=None):
    product = rng.choice(products)
    shoe = product.style_code.startswith("S")
    source = rng.choice([Source.CUSTOMER_RETURN, Source.CUSTOMER_RETURN, Source.DELIVERY, Source.SHELF])
    return registration.NewPiece(
        product=product,
        defect=rng.choice(defects),
        source=source,
        size=rng.choice(SIZES_SHOES if shoe else SIZES_GARMENT),
        colour=rng.choice(COLOURS),
        description=rng.choice(["", "顾客退回，左侧缝线开裂", "到货开箱发现", "陈列时发现污渍", "拉链头脱落"]),
        delivery_received_on=None,
    ), source


def _stock(tech: User, supplier: Supplier, now: datetime) -> None:
    """The workshop's store room: one receipt of every part, shelves and reorder points."""
    parts = {p.code: p for p in db.session.scalars(select(SparePart))}
    location = stock.workshop_location()
    stock.receive(
        tech,
        location,
        [stock.ReceiptLineIn(parts[c].id, q, Decimal(price)) for c, q, price, *_ in STOCK],
        supplier_id=supplier.id,
        delivery_note="DN-20260801",
        at=now - timedelta(weeks=6),
    )
    for code, _q, _p, shelf, point, quantity in STOCK:
        stock.set_reorder(location, parts[code], point, quantity, shelf)


def _spares_paperwork(tech: User) -> None:
    """What a workshop's store room has on the go: a requisition waiting for the lead, an old
    zip kept for a claim, and a stocktake half counted."""
    parts = {p.code: p for p in db.session.scalars(select(SparePart))}
    waiting = db.session.scalar(select(Piece).where(Piece.status == PieceStatus.REPAIRABLE).order_by(Piece.id))
    if waiting is not None:
        requisitions.request(tech, waiting, [(parts["ZIP-60"].id, 1), (parts["BTN"].id, 12)], "大衣换拉链并全部换扣")
    repair = db.session.scalar(select(Repair).order_by(Repair.id))
    if repair is not None:
        old_parts.keep(repair, repair.piece, {parts["THREAD"].id: 1}, at=repair.repaired_at)
    count = stocktakes.start(tech, stock.workshop_location())
    stocktakes.count(tech, count, parts["HEEL"], 12)
    stocktakes.count(tech, count, parts["GLUE"], 29, "一支胶管破裂")


def _history(rng, now, stores, products, defects, by_role, store_users) -> None:
    rules = current_rules()
    tech = by_role["technician"]
    fallback = by_role["admin"]
    thread = db.session.scalar(select(SparePart).where(SparePart.code == "THREAD"))
    for store in stores:
        clerk = store_users.get(store.code, fallback)
        # Four weekly trips: the oldest came back, then received and graded, then in transit.
        for weeks_ago, stage in ((4, "back"), (3, "back"), (2, "graded"), (1, "in_transit")):
            start = now - timedelta(weeks=weeks_ago, days=2)
            pieces = []
            for i in range(rng.randint(3, 6)):
                data, source = _new_piece(rng, products, defects)
                at = start + timedelta(hours=i)
                if source == Source.DELIVERY:
                    delivered = clock.local_date(at - timedelta(days=rng.choice([1, 3, 9])))
                    data = registration.NewPiece(**{**data.__dict__, "delivery_received_on": delivered})
                pieces.append(registration.register_piece(clerk, store, data, rules, at=at))
            batch = batches.open_or_create_batch(clerk, store, Direction.OUTBOUND, at=start)
            for piece in pieces:
                batches.add_piece(clerk, batch, piece, at=start + timedelta(hours=8))
            batches.dispatch_batch(
                clerk,
                batch,
                rules,
                carrier="顺丰速运",
                tracking_no=f"SF{rng.randint(10**11, 10**12 - 1)}",
                shipping_fee=Decimal("18.00"),
                at=start + timedelta(hours=9),
            )
            if stage == "in_transit":
                continue
            received_at = start + timedelta(days=2)
            scanning.start_check(tech, batch, at=received_at)
            arrived = pieces if stage == "back" else pieces[:-1]
            for piece in arrived:
                scanning.receive_scan(tech, batch, piece.code, at=received_at)
            scanning.close_check(tech, batch, at=received_at + timedelta(minutes=30))
            graded_at = received_at + timedelta(days=1)
            for n, piece in enumerate(arrived):
                grade = (Grade.REPAIRABLE, Grade.REPAIRABLE, Grade.NO_FAULT, Grade.SCRAP)[n % 4]
                choice = None
                if grade == Grade.SCRAP:
                    choice = grading.BlameChoice(grading.suggestion_for(piece, rules).blame)
                grading.grade_piece(tech, piece, grade, rules, blame=choice, at=graded_at)
                if grade == Grade.REPAIRABLE and (stage == "back" or n == 0):
                    grading.record_repair(
                        tech,
                        piece,
                        grading.RepairRecord(("RESTITCH",), rng.randint(15, 60), "已修复", ((thread.id, 1),)),
                        at=graded_at + timedelta(hours=3),
                    )
            if stage != "back":
                continue
            ret = batches.open_or_create_batch(tech, store, Direction.RETURN, at=graded_at)
            for piece in arrived:
                if piece.status in ("repaired", "no_fault"):
                    returns.pack_return(tech, ret, piece, at=graded_at + timedelta(hours=5))
            returns.dispatch_return(
                tech,
                ret,
                carrier="顺丰速运",
                tracking_no=f"SF{rng.randint(10**11, 10**12 - 1)}",
                at=graded_at + timedelta(hours=6),
            )
            back_at = graded_at + timedelta(days=rng.choice([2, 3, 12]))
            if back_at < now:
                scanning.start_check(clerk, ret, at=back_at)
                for piece in ret.return_pieces:
                    returns.receive_back_scan(clerk, ret, piece.code, rules, at=back_at)
                scanning.close_check(clerk, ret, at=back_at)
        # This week: a few pieces registered, some packed in the open batch.
        for i in range(rng.randint(2, 4)):
            data, source = _new_piece(rng, products, defects)
            if source == Source.DELIVERY:
                data = registration.NewPiece(
                    **{**data.__dict__, "delivery_received_on": clock.local_date(now - timedelta(days=2))}
                )
            piece = registration.register_piece(clerk, store, data, rules, at=now - timedelta(hours=6 - i))
            if i % 2 == 0:
                batch = batches.open_or_create_batch(clerk, store, Direction.OUTBOUND, at=now - timedelta(hours=1))
                batches.add_piece(clerk, batch, piece, at=now - timedelta(hours=1))


# Customers' pieces at the counter today (三包): (product, defect, days since the sale, price,
# worn, repairs before, decision or None, reason). None is the supplier's (a refund or an
# exchange): the demo's claims stay those of its scrap.
COUNTER = [
    ("G24003", "Q07", 40, "999.00", True, 0, Decision.FREE_REPAIR_WORKSHOP, ""),
    ("G24006", "Q01", 5, "499.00", True, 0, None, ""),
    ("S24106", "Q11", 50, "599.00", True, 1, Decision.FREE_REPAIR_WORKSHOP, ""),
    ("G24001", "Q07", 20, "1299.00", True, 0, Decision.FREE_REPAIR_STORE, "店里有同款拉链，顾客当天取"),
    ("G24013", "N07", 30, "459.00", True, 0, Decision.REFUSAL, "顾客洗涤不当，不愿付费维修"),
]


def _counter(now, stores, products, defects, store_users) -> None:
    rules = current_rules()
    by_style = {p.style_code: p for p in products}
    by_code = {d.code: d for d in defects}
    today = clock.local_date(now)
    for store in stores:
        clerk = store_users.get(store.code)
        if clerk is None:
            continue
        for n, (style, defect, days, price, worn, repairs, decision, reason) in enumerate(COUNTER):
            at = now - timedelta(hours=3, minutes=10 * n)
            data = registration.NewPiece(
                product=by_style[style],
                defect=by_code[defect],
                source=Source.CUSTOMER_RETURN,
                size="L" if style.startswith("G") else "40",
                colour="黑色",
                description="顾客退回",
                purchase=counter.Purchase(
                    sold_on=today - timedelta(days=days),
                    price_paid=Decimal(price),
                    receipt_no=f"XP{store.code}{today:%Y%m%d}{n:03d}",
                    worn=worn,
                    customer_name="李女士",
                    customer_phone=f"1390000{n:04d}",
                    previous_repairs=repairs,
                ),
            )
            piece = registration.register_piece(clerk, store, data, rules, at=at)
            if decision is not None:
                counter.decide(clerk, piece, decision, reason, rules, at=at + timedelta(minutes=5))
