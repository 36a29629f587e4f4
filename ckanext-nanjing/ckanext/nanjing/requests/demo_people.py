"""The demo requests' applicants: fictional people and bodies of Nanjing,
with names drawn from common ones, 居民身份证号 and 统一社会信用代码 whose
check characters are right but that are issued to nobody, and no email
address (the demo sends no mail)."""
from __future__ import annotations

import datetime
import random
from typing import Any

from .. import identifiers

__all__ = ["DISTRICTS", "LEGAL_PERSONS", "id_card", "credit", "natural", "legal"]

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
            "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎顾毛")
GIVEN = ("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国志海燕文斌宇浩然"
         "子涵欣怡梓轩雨桐佳琪晨阳思远嘉怡俊杰婷雪梅春林德华立新")
# 区县代码 of Nanjing's districts, with a street for the address.
DISTRICTS = {
    "320102": ("玄武区", ("中山路", "北京东路", "龙蟠路", "珠江路")),
    "320104": ("秦淮区", ("中华路", "瑞金路", "大光路", "龙蟠中路")),
    "320105": ("建邺区", ("江东中路", "嘉陵江东街", "庐山路", "黄山路")),
    "320106": ("鼓楼区", ("中山北路", "湖南路", "汉中门大街", "草场门大街")),
    "320111": ("浦口区", ("江浦街道文德路", "浦珠北路", "柳州北路")),
    "320113": ("栖霞区", ("仙林大道", "尧化街道尧佳路", "马群街道紫东路")),
    "320114": ("雨花台区", ("软件大道", "雨花南路", "宁双路")),
    "320115": ("江宁区", ("天元中路", "胜太路", "秣陵街道将军大道", "东山街道竹山路")),
    "320116": ("六合区", ("雄州街道龙池路", "延安北路")),
    "320117": ("溧水区", ("永阳街道中山路", "珍珠南路")),
    "320118": ("高淳区", ("淳溪街道宝塔路", "镇兴路")),
}

# Legal persons: (name, category, the first two characters of the credit
# code: 登记管理部门 and 机构类别, GB 32100-2015 table 1, region).
LEGAL_PERSONS = (
    ("南京恒川置业有限公司", "business", "91", "320105"),
    ("江苏瑞达环保科技有限公司", "business", "91", "320115"),
    ("南京金陵味道餐饮管理有限公司", "business", "91", "320104"),
    ("南京鼎诚建设工程有限公司", "business", "91", "320113"),
    ("南京禾丰食品有限公司", "business", "91", "320116"),
    ("南京市玄武区老周五金商行", "business", "92", "320102"),
    ("南京城市发展研究院", "research", "12", "320106"),
    ("南京长江生态环境研究所", "research", "12", "320102"),
    ("南京市绿水青山环保公益促进会", "nonprofit", "51", "320100"),
    ("南京市鼓楼区阳光助残服务中心", "nonprofit", "52", "320106"),
    ("江苏正衡律师事务所", "legal_service", "31", "320100"),
    ("江苏诚和律师事务所", "legal_service", "31", "320105"),
    ("南京市建邺区滨江花园业主委员会", "other", "Y1", "320105"),
    ("南京市江宁区横溪街道石塘社区居民委员会", "other", "54", "320115"),
)


def id_card(rng: random.Random, region: str) -> str:
    birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randrange(0, 50 * 365))
    first17 = f"{region}{birth:%Y%m%d}{rng.randrange(10, 1000):03d}"
    return first17 + identifiers.id_check_character(first17)


def credit(rng: random.Random, prefix: str, region: str) -> str:
    """A 统一社会信用代码 whose 组织机构代码 part checks too (GB 11714)."""
    body = "".join(rng.choice("0123456789") for _ in range(8))
    first17 = prefix + region + body + identifiers.org_check_character(body)
    return first17 + identifiers.check_character(first17)


def natural(rng: random.Random) -> dict[str, Any]:
    region = rng.choice(sorted(DISTRICTS))
    district, streets = DISTRICTS[region]
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    passport = rng.random() < 0.06
    return {
        "applicant_type": "natural", "applicant_category": "natural", "name": name,
        "id_type": "passport" if passport else "id_card",
        "id_number": f"E{rng.randrange(10**7, 10**8)}" if passport else id_card(rng, region),
        "phone": f"1{rng.choice('35789')}{rng.randrange(10**8, 10**9)}",
        "address": f"南京市{district}{rng.choice(streets)}{rng.randrange(1, 300)}号"
                   f"{rng.randrange(1, 30)}栋{rng.randrange(101, 2600)}室",
    }


def legal(rng: random.Random, category: str) -> dict[str, Any]:
    name, _category, prefix, region = rng.choice(
        [p for p in LEGAL_PERSONS if p[1] == category])
    district = DISTRICTS.get(region, ("", ("",)))
    return {
        "applicant_type": "legal", "applicant_category": category, "name": name,
        "id_type": "credit_code",
        "id_number": credit(random.Random(name), prefix, region),  # one code per name
        "phone": f"025-8{rng.randrange(10**6, 10**7)}",
        "address": f"南京市{district[0]}{rng.choice(district[1])}{rng.randrange(1, 200)}号",
    }
