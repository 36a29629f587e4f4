"""Demo requests for `make demo` (`ckan nanjing-requests demo`): a year of
requests to ten bodies of the demo catalog, taken through the real actions
as the demo sysadmin and dated back with `received` and `day`, so that the
queue, the public lookup and the annual report show real figures: every
state, every pause kind, every one of the 21 reply results, corrections,
extensions, fees, some requests near or past their deadline, and a few
行政复议/行政诉讼 with outcomes.

The applicants are fictional: names drawn from common ones, 居民身份证号
and 统一社会信用代码 with valid check characters but issued to nobody, and
no email address (the demo sends no mail). Random choices are seeded; the
dates are relative to today."""
from __future__ import annotations

import collections
import dataclasses
import datetime
import random
import time
from typing import Any, Callable

import ckan.model as model
import ckan.plugins.toolkit as tk

from .. import identifiers, localtime, workdays
from . import privacy, results
from .actions import APPEAL_KINDS, APPEAL_OUTCOMES
from .model import Request, RequestAppeal
from .states import PAUSE_KINDS, STATES

__all__ = ["DemoError", "SCENARIOS", "ORGANIZATIONS", "load", "plan"]

SEED = 20260511
ORGANIZATIONS = ("nanjing-fgw", "nanjing-czj", "nanjing-ghzyj", "nanjing-sthjj", "nanjing-scjgj",
                 "nanjing-jtysj", "nanjing-yjglj", "jianye-gov", "jiangning-gov", "gulou-sfj")


class DemoError(Exception):
    pass


# Applicants

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
ID_WEIGHTS = tuple(2 ** (17 - i) % 11 for i in range(17))
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

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
    total = sum(int(char) * weight for char, weight in zip(first17, ID_WEIGHTS))
    return first17 + "10X98765432"[total % 11]


def credit(rng: random.Random, prefix: str, region: str) -> str:
    """A 统一社会信用代码 whose 组织机构代码 part checks too (GB 11714)."""
    body = "".join(rng.choice("0123456789") for _ in range(8))
    check = 11 - sum(int(c) * w for c, w in zip(body, ORG_CODE_WEIGHTS)) % 11
    first17 = prefix + region + body + {10: "X", 11: "0"}.get(check, str(check))
    return first17 + identifiers.check_character(first17)


def _natural(rng: random.Random) -> dict[str, Any]:
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


def _legal(rng: random.Random, category: str) -> dict[str, Any]:
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


# What was asked, of whom, and what became of it

@dataclasses.dataclass
class Scenario:
    org: str
    route: str                 # see _steps
    description: str
    doc_number: str = ""
    purpose: str = ""
    who: str = "natural"       # natural or a legal category
    result: str = ""           # closed routes
    end: str = "archived"      # replied | delivered | archived
    correction: bool = False
    consultation: str = ""     # third_party | other_agency
    extension: int = 0
    fee: bool = False
    late: bool = False
    status: str = ""           # open routes: on_time | near | overdue
    reply: str = ""            # the reply's own text (else the result's standard one)
    where: str = ""
    appeals: tuple = ()        # ((kind, outcome), ...)
    corrected: str = ""        # what the applicant sent in with the correction


S = Scenario
SCENARIOS: list[Scenario] = [
    # 发改委
    S("nanjing-fgw", "closed", "2026年南京市重大项目投资计划中江北新区各项目的名称、总投资和年度计划投资额",
      "宁发改投资发〔2026〕12号", "了解所在片区建设规划", result="disclose",
      where="随答复书提供《2026年南京市重大项目投资计划》江北新区部分复印件"),
    S("nanjing-fgw", "closed", "南京市居民阶梯水价调整的成本监审报告和听证会纪要",
      "", "学术研究", who="research", result="partial", consultation="other_agency",
      reply="成本监审结论报告予以公开；听证会纪要中听证参加人的个人信息已作区分处理。",
      where="随答复书提供经区分处理的复印件"),
    S("nanjing-fgw", "closed", "某物流园区项目核准批复文件及项目申请报告",
      "", "企业经营决策参考", who="business", result="withhold_third_party", consultation="third_party",
      reply="项目申请报告涉及申请企业的技术方案和财务数据，经征求意见，该企业认为属于商业秘密并不同意公开。",
      appeals=(("reconsideration", "upheld"),)),
    S("nanjing-fgw", "closed", "市发改委2026年第二季度党组会议研究重大项目布局的会议记录",
      "", "", result="withhold_process"),
    S("nanjing-fgw", "closed", "本市2025年度各区单位GDP能耗下降率及考核结果", "", "研究",
      who="research", result="disclose", extension=15, end="delivered",
      where="见市发改委网站“政府信息公开—重点领域信息”栏目，并随答复书提供打印件"),
    S("nanjing-fgw", "open", "南京至马鞍山城际铁路南京段可行性研究报告批复", "", "", status="near"),
    S("nanjing-fgw", "open", "2026年市级政府投资项目储备库中涉及雨花台区的项目清单", "", "",
      status="on_time"),
    S("nanjing-fgw", "extension_pending", "2024—2026年南京市各区保障性租赁住房项目的审批和资金安排情况",
      "", "", who="nonprofit"),
    # 财政局
    S("nanjing-czj", "closed", "2025年市级部门“三公”经费决算明细（分部门）", "", "监督财政资金使用",
      result="disclose", where="见南京市财政局网站“预决算公开”专栏，答复书附各部门公开网址"),
    S("nanjing-czj", "closed", "2025年度市级政府采购项目中标供应商及合同金额汇总表（按月统计）",
      "", "", who="business", result="unable_needs_creation"),
    S("nanjing-czj", "closed", "市财政局对市属国有企业2025年度资本金注入的批复及相关请示",
      "", "", result="withhold_process", appeals=(("reconsideration", "corrected"),)),
    S("nanjing-czj", "closed", "2026年市级财政专项资金“科技创新券”补助名单及金额", "", "",
      who="business", result="partial", end="delivered",
      where="随答复书提供补助企业名单及金额（个人信息已区分处理）"),
    S("nanjing-czj", "closed", "请提供《南京市财政年鉴2025》一册", "", "", result="not_handled_publication"),
    S("nanjing-czj", "open", "市级预算单位2026年度公务用车购置及运行费预算", "", "", status="overdue"),
    S("nanjing-czj", "paused", "2025年度市对区转移支付中用于江宁区教育的资金明细和使用绩效评价报告",
      "", "", consultation="other_agency", who="research"),
    S("nanjing-czj", "withdrawn", "2026年市本级地方政府专项债券项目清单", "", ""),
    # 规划和自然资源局
    S("nanjing-ghzyj", "closed", "建邺区河西南部某地块控制性详细规划调整的批复及公示意见汇总",
      "宁规划资源〔2026〕45号", "维护居住权益", who="other", result="disclose", correction=True,
      where="随答复书提供批复复印件及公示意见汇总表"),
    S("nanjing-ghzyj", "closed", "本人所住小区（鼓楼区某路12号）的建设工程规划许可证及总平面图", "",
      "维护房屋权益", result="disclose", end="replied",
      where="随答复书提供规划许可证及附图复印件"),
    S("nanjing-ghzyj", "closed", "江宁区秣陵街道某村集体土地征收的征地批复、补偿安置方案和征地补偿款拨付凭证",
      "苏政地〔2025〕318号", "核实补偿标准", result="partial", fee=True,
      reply="征地批复和补偿安置方案予以公开；补偿款拨付凭证中被征收人的账户信息不予公开。",
      where="随答复书提供复印件（共 186 页）"),
    S("nanjing-ghzyj", "closed", "本人名下位于秦淮区的房屋不动产登记簿及原始登记资料", "", "",
      result="withhold_query",
      reply="您申请的不动产登记资料属于行政查询事项，请持身份证明到不动产登记中心查询窗口办理。"),
    S("nanjing-ghzyj", "closed", "南京市地下管线综合图（1:500 全市域）", "", "", who="business",
      result="withhold_security"),
    S("nanjing-ghzyj", "closed", "玄武区某地块国有建设用地使用权出让合同及竞得人缴款情况", "", "",
      who="legal_service", result="partial", consultation="third_party",
      where="随答复书提供出让合同（竞得人银行账户等信息已区分处理）"),
    S("nanjing-ghzyj", "correction_expired", "关于那块地的所有文件", "", ""),
    S("nanjing-ghzyj", "open", "2026年度南京市国土空间规划年度实施报告", "", "", status="near",
      correction=True),
    S("nanjing-ghzyj", "awaiting_correction", "我家附近要建的那个项目的规划", "", ""),
    S("nanjing-ghzyj", "paused", "栖霞区某住宅项目规划设计方案调整的批前公示材料及利害关系人意见",
      "", "", consultation="third_party", who="other"),
    # 生态环境局
    S("nanjing-sthjj", "closed", "江北新区某化工企业2025年度污染物排放自行监测数据及执法监测报告",
      "", "环境公益监督", who="nonprofit", result="disclose",
      where="随答复书提供监测报告复印件；自行监测数据见江苏省污染源监测信息公开平台"),
    S("nanjing-sthjj", "closed", "江宁区某垃圾焚烧发电项目环境影响报告书及批复", "宁环建〔2025〕27号",
      "了解项目对周边环境的影响", result="partial", consultation="third_party", extension=10,
      where="随答复书提供批复及报告书（删除涉及商业秘密的工艺参数）"),
    S("nanjing-sthjj", "closed", "市生态环境局对某企业环境违法案件的调查询问笔录和现场勘验笔录",
      "宁环罚〔2026〕61号", "", who="legal_service", result="withhold_enforcement",
      appeals=(("reconsideration", "upheld"), ("litigation_after", "pending"))),
    S("nanjing-sthjj", "closed", "我反映的小区旁边餐馆油烟扰民问题为什么一直没人管，请给个说法",
      "", "", result="not_handled_petition",
      reply="您反映的属于投诉举报事项，本机关已转交秦淮区生态环境执法部门处理，请留意其答复。"),
    S("nanjing-sthjj", "closed", "秦淮河2025年各断面逐月水质监测数据", "", "研究", who="research",
      result="disclose", late=True, end="delivered",
      where="随答复书提供水质监测数据表（电子表格刻录光盘）"),
    S("nanjing-sthjj", "closed", "长江南京段某饮用水水源地取水口及应急备用水源的精确坐标和防护设施布局",
      "", "", result="withhold_security"),
    S("nanjing-sthjj", "open", "2026年第三季度南京市建设项目环评审批清单", "", "", status="on_time",
      who="business"),
    S("nanjing-sthjj", "paused", "雨花台区某工业园区大气污染物排放总量核定文件及企业分配指标",
      "", "", fee=True, who="business"),
    S("nanjing-sthjj", "withdrawn", "玄武湖2026年夏季蓝藻监测数据", "", "", correction=True),
    # 市场监管局
    S("nanjing-scjgj", "closed", "2026年第一季度南京市食品安全监督抽检不合格产品名单及处置情况",
      "", "", result="disclose", end="replied",
      where="见市市场监管局网站“食品抽检信息”栏目，答复书附链接"),
    S("nanjing-scjgj", "closed", "某连锁超市2025年度行政处罚决定书", "宁市监罚〔2025〕209号", "",
      who="business", result="disclose", where="随答复书提供行政处罚决定书复印件"),
    S("nanjing-scjgj", "closed", "南京某科技有限公司的工商登记档案（股东会决议、章程修正案）",
      "", "诉讼需要", who="legal_service", result="withhold_query",
      reply="企业登记档案属于行政查询事项，请按《企业登记档案资料查询办法》到登记窗口办理。"),
    S("nanjing-scjgj", "closed", "本局2026年机关干部考勤和值班安排表", "", "", result="withhold_internal"),
    S("nanjing-scjgj", "closed", "市场监管部门对本人投诉的某电商平台价格欺诈问题的处理结果",
      "", "", result="not_handled_petition",
      reply="您的诉求属于投诉处理事项，已按投诉举报程序转办，处理结果将由承办单位告知您。"),
    S("nanjing-scjgj", "closed", "本人2026年3月已获取的某餐馆处罚决定书，请加盖公章确认与原件一致",
      "", "", result="not_handled_confirm"),
    S("nanjing-scjgj", "closed", "全市2025年每一家餐饮单位的每次日常监督检查记录（共约三万家）",
      "", "", result="not_handled_excessive",
      reply="您在本月以相同内容提交申请 40 余件，且申请内容明显超出合理范围，本机关不予处理。"),
    S("nanjing-scjgj", "fee_expired", "2025年全市药品零售企业许可证核发清单及现场检查记录", "", "",
      who="business"),
    S("nanjing-scjgj", "open", "2026年南京市特种设备安全监督检验年度报告", "", "", status="overdue",
      extension=10),
    S("nanjing-scjgj", "awaiting_correction", "某小区电梯的所有检验资料", "", "", who="other"),
    # 交通运输局
    S("nanjing-jtysj", "closed", "2026年新开通和调整的公交线路清单及站点设置依据", "", "出行规划",
      result="disclose", where="见南京公交集团及市交通运输局网站，答复书附线路清单"),
    S("nanjing-jtysj", "closed", "城市轨道交通线网运营控制中心安防监控点位分布图", "", "",
      result="withhold_state_secret"),
    S("nanjing-jtysj", "closed", "南京网约车平台公司2025年度车辆和驾驶员合规率统计", "", "研究",
      who="research", result="disclose", extension=10,
      where="随答复书提供统计表；另见市交通运输局网站“行业统计”栏目"),
    S("nanjing-jtysj", "closed", "长途客运站搬迁的可行性研究报告和专家论证意见", "", "",
      result="withhold_process", correction=True),
    S("nanjing-jtysj", "closed", "南京禄口机场至市区的机场大巴线路2025年客流量", "", "",
      result="unable_not_held",
      reply="该信息由机场集团运营管理，本机关未制作或获取，建议您向南京禄口国际机场有限公司咨询。",
      appeals=(("litigation_direct", "pending"),)),
    S("nanjing-jtysj", "open", "2026年全市出租汽车运价调整的测算依据", "", "", status="near",
      extension=15),
    S("nanjing-jtysj", "withdrawn", "某公交线路取消的决策文件", "", "", consultation="third_party"),
    # 应急管理局
    S("nanjing-yjglj", "closed", "2025年某化工园区“4·17”一般生产安全事故调查报告", "", "",
      who="nonprofit", result="disclose", where="随答复书提供事故调查报告复印件"),
    S("nanjing-yjglj", "closed", "全市危险化学品重大危险源企业清单及分布（含储量）", "", "",
      who="business", result="withhold_security"),
    S("nanjing-yjglj", "closed", "本局在某企业行政处罚案件中向省应急管理厅请示的报告", "", "",
      result="withhold_process"),
    S("nanjing-yjglj", "open", "2026年南京市防汛防旱应急预案（修订版）", "", "", status="on_time"),
    S("nanjing-yjglj", "extension_pending", "2024年以来全市工贸企业安全生产行政处罚汇总", "", "",
      who="legal_service"),
    # 建邺区人民政府
    S("jianye-gov", "closed", "建邺区某片区旧城改造房屋征收决定、补偿方案和社会稳定风险评估报告",
      "建政发〔2025〕88号", "核实征收补偿依据", result="partial", extension=20,
      reply="征收决定和补偿方案予以公开；社会稳定风险评估报告属于过程性信息，不予公开。",
      where="随答复书提供征收决定及补偿方案复印件"),
    S("jianye-gov", "closed", "本人户籍所在片区被征收房屋的评估报告及分户补偿明细（本人房屋）",
      "", "维护自身合法权益", result="disclose", correction=True,
      where="随答复书提供本人房屋的分户评估报告"),
    S("jianye-gov", "closed", "区统计调查中各企业填报的原始统计报表", "", "", who="business",
      result="withhold_law",
      reply="您申请的原始统计报表属于能够识别统计调查对象身份的资料，依照《中华人民共和国统计法》不得对外提供。"),
    S("jianye-gov", "closed", "建邺区某片区旧城改造房屋征收决定和补偿方案（与前次申请相同）",
      "建政发〔2025〕88号", "", result="not_handled_repeat",
      reply="您于本年度已就同一内容提出申请，本机关已作答复，本次属于重复申请。",
      appeals=(("reconsideration", "upheld"),)),
    S("jianye-gov", "closed", "建邺区2026年民生实事项目完成情况", "", "", result="disclose",
      end="delivered", where="见建邺区政府网站“重点工作”栏目"),
    S("jianye-gov", "closed", "2026年建邺区老旧小区改造计划及各小区改造内容", "", "", who="other",
      result="disclose", end="replied", where="随答复书提供改造计划表"),
    S("jianye-gov", "closed", "请告知小区物业费标准是否合理，应当适用哪个文件", "", "",
      result="other_other",
      reply="您所询问的属于政策咨询，不属于政府信息公开申请，已告知您向区住房保障和房产局咨询。"),
    S("jianye-gov", "open", "建邺区2026年义务教育阶段学校施教区划分依据", "", "", status="on_time"),
    S("jianye-gov", "paused", "建邺区某安置房项目的工程质量检测报告", "", "", fee=True),
    # 江宁区人民政府
    S("jiangning-gov", "closed", "江宁区横溪街道石塘社区2025年集体土地征收补偿款发放明细", "",
      "核实补偿款", who="other", result="partial",
      where="随答复书提供补偿款发放汇总表（个人账户信息已区分处理）"),
    S("jiangning-gov", "closed", "江宁区2025年高标准农田建设项目验收报告", "", "", result="disclose",
      end="delivered", where="随答复书提供验收报告复印件"),
    S("jiangning-gov", "closed", "某某事的处理情况", "", "", result="unable_unclear", correction=True,
      corrected="就是去年那件事，你们应该知道",
      reply="经补正，您的申请仍未能明确所需信息的名称、文号或便于查询的特征描述，本机关无法提供。"),
    S("jiangning-gov", "closed", "江宁区某街道2020年以前的全部会议记录", "", "",
      result="unable_not_held",
      reply="经检索，本机关档案中没有您所描述的信息，相关资料可能由原乡镇档案移交区档案馆保存。"),
    S("jiangning-gov", "closed", "江宁区某街道2026年度安全生产检查计划", "", "", result="disclose",
      end="replied", where="随答复书提供检查计划复印件"),
    S("jiangning-gov", "correction_expired", "要村里的账", "", "", end="delivered"),
    S("jiangning-gov", "open", "江宁区2026年区级财政对街道的转移支付安排", "", "", status="overdue"),
    S("jiangning-gov", "open", "江宁区2026年农村人居环境整治专项资金使用情况", "", "",
      status="near", consultation="third_party"),
    # 鼓楼区司法局
    S("gulou-sfj", "closed", "鼓楼区2025年法律援助案件受理数量和类型统计", "", "研究",
      who="research", result="disclose", end="delivered", where="随答复书提供统计表"),
    S("gulou-sfj", "closed", "鼓楼区人民调解委员会2025年调解案件卷宗（某纠纷）", "", "",
      result="withhold_enforcement"),
    S("gulou-sfj", "closed", "鼓楼区2026年“八五”普法规划中期评估报告", "", "", who="legal_service",
      result="disclose", end="delivered", late=True, where="随答复书提供评估报告复印件"),
    S("gulou-sfj", "closed", "本局工作人员2026年出差审批单", "", "", result="withhold_internal"),
    S("gulou-sfj", "open", "鼓楼区公共法律服务站点的分布和服务时间", "", "", status="on_time",
      who="nonprofit"),
    S("gulou-sfj", "awaiting_correction", "法律援助的那个材料", "", ""),
    S("gulou-sfj", "withdrawn", "鼓楼区2026年社区矫正工作经费预算", "", "", fee=True),
]

REPLIES: dict[str, tuple[str, str]] = {  # result → (reply text, reasons)
    "disclose": ("经审查，您申请获取的信息属于可以公开的政府信息，现予以公开。", ""),
    "partial": ("经审查，您申请获取的信息中部分内容涉及第三方个人信息，依法作区分处理后予以公开。",
                "《中华人民共和国政府信息公开条例》第十五条、第三十七条"),
    "withhold_state_secret": ("经审查，您申请获取的信息已依法确定为国家秘密，不予公开。",
                              "《中华人民共和国政府信息公开条例》第十四条；《中华人民共和国保守国家秘密法》"),
    "withhold_law": ("经审查，法律、行政法规禁止公开您申请获取的信息，不予公开。",
                     "《中华人民共和国政府信息公开条例》第十四条；《中华人民共和国统计法》第三十九条"),
    "withhold_security": ("经审查，您申请获取的信息公开后可能危及国家安全、公共安全、经济安全和社会稳定，不予公开。",
                          "《中华人民共和国政府信息公开条例》第十四条"),
    "withhold_third_party": ("经审查，您申请获取的信息涉及商业秘密，公开会对第三方合法权益造成损害，不予公开。",
                             "《中华人民共和国政府信息公开条例》第十五条、第三十二条"),
    "withhold_internal": ("经审查，您申请获取的信息属于本机关的人事管理、后勤管理、内部工作流程等内部事务信息，不予公开。",
                          "《中华人民共和国政府信息公开条例》第十六条第一款"),
    "withhold_process": ("经审查，您申请获取的信息属于行政机关在履行行政管理职能过程中形成的讨论记录、过程稿、请示报告等过程性信息，不予公开。",
                         "《中华人民共和国政府信息公开条例》第十六条第二款"),
    "withhold_enforcement": ("经审查，您申请获取的信息属于行政执法案卷信息，不予公开。",
                             "《中华人民共和国政府信息公开条例》第十六条第二款"),
    "withhold_query": ("经审查，您申请获取的信息属于行政查询事项，请按相关规定办理查询。",
                       "《中华人民共和国政府信息公开条例》第三十六条第（七）项"),
    "unable_not_held": ("经检索，本机关未制作、获取您申请的政府信息。",
                        "《中华人民共和国政府信息公开条例》第三十六条第（四）项"),
    "unable_needs_creation": ("您申请的信息需要本机关对现有政府信息进行加工、分析，本机关不予提供；现有的采购公告和中标公告可在南京市政府采购网查询。",
                              "《中华人民共和国政府信息公开条例》第三十八条"),
    "unable_unclear": ("经补正，您的申请内容仍不明确，本机关无法提供。",
                       "《中华人民共和国政府信息公开条例》第三十条"),
    "not_handled_petition": ("您的申请属于信访、投诉、举报事项，本机关告知您通过相应渠道提出。",
                             "《中华人民共和国政府信息公开条例》第三十九条第一款"),
    "not_handled_repeat": ("您的申请属于重复申请，本机关不予重复处理。",
                           "《中华人民共和国政府信息公开条例》第三十六条第（六）项"),
    "not_handled_publication": ("您要求提供的是公开出版物，可通过公开发行渠道购买或到南京图书馆查阅，本机关不予处理。",
                                "《中华人民共和国政府信息公开条例》第三十九条第二款"),
    "not_handled_excessive": ("您无正当理由大量、反复申请政府信息公开，本机关不予处理。",
                              "《中华人民共和国政府信息公开条例》第三十五条"),
    "not_handled_confirm": ("您要求本机关确认或者重新出具已获取的信息，不属于政府信息公开申请，本机关不予处理。",
                            "《中华人民共和国政府信息公开条例》第三十九条第二款"),
    "other_other": ("本机关已对您的来函作出说明。", ""),
}


# Planning: the steps of each scenario with their working-day offsets

Step = tuple  # (transition, working days after the previous step, data)


def _reply_data(s: Scenario) -> dict[str, Any]:
    text, reasons = REPLIES[s.result]
    data = {"result": s.result, "text": s.reply or text}
    if reasons:
        data["reasons"] = reasons
    if results.RESULTS[s.result].group in ("disclose", "partial"):
        data["where"] = s.where or "随答复书提供复印件"
    return data


def _steps(s: Scenario, rng: random.Random) -> tuple[list[Step], int]:
    """The steps after registration, and the working days from the last
    step to today (for open requests: what puts them near or past due)."""
    steps: list[Step] = []
    used = 0  # working days the clock has run since its start

    def step(transition, after, counted=True, **data):
        nonlocal used
        steps.append((transition, after, data))
        used += after if counted else 0

    if s.correction or s.route in ("awaiting_correction", "correction_expired"):
        vague = len(s.description) < 16
        step("request_correction", rng.randint(1, 4), counted=False,
             items="请写明所需政府信息的名称、文号或者便于本机关查询的其他特征性描述"
             if vague else "请明确所需信息的形成时间范围，并补充申请人有效身份证明复印件",
             reply_within=15)
        if s.route == "awaiting_correction":
            return steps, rng.randint(2, 8)
        if s.route == "correction_expired":
            step("correction_expired", rng.randint(16, 18), counted=False)
            return _closing(s, steps, rng), 0
        if s.route == "withdrawn":
            step("withdraw", rng.randint(2, 6), reason="申请人来电表示已通过其他渠道获取，申请撤回")
            return steps, 0
        step("submit_correction", rng.randint(2, 8), counted=False,
             text=s.corrected or f"所需信息为“{s.description}”，时间范围为 2025 年至今；"
                                 f"已补充身份证明复印件。")
        used = 0  # the clock restarts on the day the correction comes in
    if s.consultation:
        step("start_consultation", rng.randint(2, 5), kind=s.consultation,
             party=("相关企业（第三方）" if s.consultation == "third_party"
                    else "市住房和城乡建设局" if s.org.startswith("nanjing") else "区财政局"))
        if s.route == "paused":
            return steps, rng.randint(3, 9)
        if s.route == "withdrawn":
            step("withdraw", rng.randint(2, 5), counted=False, reason="申请人撤回")
            return steps, 0
        step("end_consultation", rng.randint(4, 12), counted=False,
             outcome="第三方书面答复不同意公开" if s.result == "withhold_third_party"
             else "已收到书面意见")
    if s.fee:
        step("charge_fee", rng.randint(3, 6), method="per_page", pages=rng.randint(120, 320))
        if s.route == "paused":
            return steps, rng.randint(3, 15)
        if s.route == "withdrawn":
            step("withdraw", rng.randint(2, 5), counted=False, reason="申请人表示不再需要")
            return steps, 0
        step("fee_paid", rng.randint(3, 12), counted=False)
    if s.route == "fee_expired":
        step("charge_fee", rng.randint(3, 6), method="per_page", pages=rng.randint(400, 900))
        step("fee_expired", rng.randint(21, 24), counted=False)
        return _closing(s, steps, rng), 0
    if s.route == "extension_pending":
        step("request_extension", rng.randint(16, 18), days=rng.choice((10, 15, 20)),
             reason="申请内容涉及多个年度、多个部门，需要调取档案逐项核对")
        return steps, rng.randint(0, 1)
    if s.extension:
        step("request_extension", max(1, rng.randint(15, 17) - used),
             days=s.extension, reason="申请的信息数量较大，需要逐件审查并作区分处理")
        step("approve_extension", 1)
    if s.route == "withdrawn":
        step("withdraw", rng.randint(2, 8), reason="申请人书面申请撤回")
        return steps, 0
    if s.route == "open":
        limit = 20 + s.extension
        left = {"on_time": rng.randint(8, 14), "near": rng.randint(1, 4),
                "overdue": -rng.randint(2, 8)}[s.status]
        return steps, max(0, limit - left - used)
    # closed: the reply, on time unless the scenario says late
    limit = 20 + s.extension
    target = rng.randint(limit + 2, limit + 6) if s.late else rng.randint(6, limit - 2)
    step("reply", max(1, target - used), **_reply_data(s))
    return _closing(s, steps, rng), 0


def _closing(s: Scenario, steps: list[Step], rng: random.Random) -> list[Step]:
    if s.end in ("delivered", "archived"):
        channel = rng.choice(("pickup", "post", "post", "onsite"))
        steps.append(("deliver", rng.randint(1, 3), {
            "channel": channel,
            "recipient": {"pickup": "申请人本人签收", "onsite": "申请人当场签收"}.get(
                channel, f"EMS 邮件号 1{rng.randrange(10**11, 10**12)}")}))
    if s.end == "archived":
        steps.append(("archive", rng.randint(3, 15), {}))
    return steps


def _back(day: datetime.date, n: int) -> datetime.date:
    """The working day n working days before `day`."""
    start = day
    while workdays.working_days_between(start, day) < n:
        start -= datetime.timedelta(days=1)
    while not workdays.calendar().is_working_day(start):
        start -= datetime.timedelta(days=1)
    return start


@dataclasses.dataclass
class Planned:
    scenario: Scenario
    applicant: dict[str, Any]
    received: datetime.date
    channel: str
    provision: str
    delivery: str
    fee_waiver: bool
    steps: list[tuple[str, datetime.date, dict]]


def plan(today: datetime.date | None = None) -> list[Planned]:
    """Every demo request with its dates: closed ones spread over the year,
    open ones dated so that the clock stands where the scenario says."""
    today = today or localtime.today()
    first = datetime.date(today.year, 1, 5)
    if today < datetime.date(today.year, 6, 1):  # early in a year: the last twelve months
        first = today - datetime.timedelta(days=330)
    people, dates = random.Random(SEED), random.Random(SEED + 1)
    planned = []
    for s in SCENARIOS:
        applicant = _natural(people) if s.who == "natural" else _legal(people, s.who)
        channel = people.choices(("online", "letter", "in_person", "fax"), (12, 5, 3, 1))[0]
        provision = people.choice(("paper", "paper", "disc", "onsite"))
        delivery = "pickup" if provision == "onsite" else people.choice(("pickup", "post"))
        waiver = people.random() < 0.08 and s.who == "natural" \
            and not s.fee and s.route != "fee_expired"
        steps, tail = _steps(s, dates)
        total = sum(after for _t, after, _d in steps) + tail
        if s.route == "closed" and s.end == "replied":
            received = _back(today, total + dates.randint(0, 2))
        elif s.route in ("closed", "correction_expired", "fee_expired") and s.end == "delivered":
            received = _back(today, total + dates.randint(3, 25))
        elif s.route in ("closed", "correction_expired", "fee_expired", "withdrawn"):
            latest = _back(today, total + 5)
            span = max(0, (latest - first).days)
            received = _back(latest - datetime.timedelta(days=dates.randint(0, span)), 0)
        else:
            received = _back(today, total)
        day, dated = received, []
        for transition, after, data in steps:
            day = workdays.add_working_days(day, after) if after else day
            dated.append((transition, min(day, today), data))
        planned.append(Planned(s, applicant, received, channel, provision, delivery, waiver,
                               dated))
    return planned


# Loading

def _keys(planned: list[Planned]) -> list[str]:
    return sorted({privacy.code_hash("id:" + p.applicant["id_number"].upper())
                   for p in planned})


def _appeal_dates(rng: random.Random, replied: datetime.date, today: datetime.date,
                  outcome: str) -> tuple[str, str | None, str]:
    filed = min(today, replied + datetime.timedelta(days=rng.randint(20, 45)))
    decided = filed + datetime.timedelta(days=rng.randint(45, 60))
    if outcome == "pending" or decided > today:
        return filed.isoformat(), None, "pending"
    return filed.isoformat(), decided.isoformat(), outcome


def load(today: datetime.date | None = None, echo: Callable[[str], None] = print) -> dict:
    """Create the demo requests unless they exist; returns the counts per
    state, pause kind and result."""
    today = today or localtime.today()
    planned = plan(today)
    existing = (model.Session.query(Request)
                .filter(Request.applicant_key.in_(_keys(planned))).count())
    if existing:
        echo(f"演示申请已存在（{existing} 件），不再重复载入。")
        return counts(echo)
    missing = [name for name in ORGANIZATIONS
               if (org := model.Group.get(name)) is None or org.state != "active"]
    if missing:
        raise DemoError(f"演示目录中缺少这些机关：{'、'.join(missing)}；请先运行 ckan nanjing load datasets")
    user = tk.config.get("ckanext.nanjing.demo_user")
    if not model.User.get(user or "") or not model.User.get(user).sysadmin:
        raise DemoError(f"演示管理员 {user} 不存在或不是系统管理员；请先运行 ckan nanjing ensure-admin")
    appeals = random.Random(SEED + 2)
    action = tk.get_action
    started, steps = time.monotonic(), 0
    for p in sorted(planned, key=lambda p: p.received):
        s = p.scenario
        data = dict(p.applicant, organization=s.org, description=s.description,
                    doc_number=s.doc_number, purpose=s.purpose, provision=p.provision,
                    delivery=p.delivery, fee_waiver=p.fee_waiver,
                    fee_waiver_reason="申请人为最低生活保障对象" if p.fee_waiver else "",
                    undertaking=True, received=p.received.isoformat(), channel=p.channel)
        try:
            request = action("nanjing_request_create")({"user": user}, data)
            steps += 1 + len(p.steps) + len(s.appeals)
            for transition, day, step_data in p.steps:
                request = action("nanjing_request_transition")(
                    {"user": user}, dict(step_data, id=request["id"], transition=transition,
                                         day=day.isoformat()))
            replied = request.get("replied")
            for kind, outcome in s.appeals:
                filed, decided, outcome = _appeal_dates(
                    appeals, datetime.date.fromisoformat(replied), today, outcome)
                action("nanjing_request_appeal_record")({"user": user}, {
                    "id": request["id"], "kind": kind, "outcome": outcome, "filed": filed,
                    "decided": decided, "note": "申请人不服答复"})
        except (tk.ValidationError, tk.NotAuthorized) as error:
            detail = getattr(error, "error_dict", None) or str(error)
            raise DemoError(f"{s.org}“{s.description[:20]}…”：{detail}") from error
    elapsed = time.monotonic() - started
    echo(f"载入演示申请 {len(planned)} 件，经办理接口 {steps} 步，用时 {elapsed:.1f} 秒"
         f"（每步平均 {1000 * elapsed / steps:.0f} 毫秒）")
    return counts(echo)


def counts(echo: Callable[[str], None] = print) -> dict:
    """The demo's figures (all requests of the portal), printed in Chinese."""
    rows = model.Session.query(Request).all()
    states = collections.Counter(r.state for r in rows)
    pauses = collections.Counter(r.pause_kind for r in rows if r.state == "paused")
    by_result = collections.Counter(r.result for r in rows if r.result)
    from . import clock
    status = collections.Counter(clock.deadline_dict(r).get("status") for r in rows)
    echo(f"依申请公开申请共 {len(rows)} 件：" + "，".join(
        f"{label} {states[key]}" for key, label in STATES.items()))
    echo("暂停计时中：" + "，".join(f"{label} {pauses[key]}" for key, label in PAUSE_KINDS.items()))
    echo(f"办理中的期限：即将到期 {status['near']}，已逾期 {status['overdue']}，"
         f"未到期 {status['on_time']}")
    echo(f"答复结果 {len(by_result)} 种：" + "，".join(
        f"{r.label} {by_result[key]}" for key, r in results.RESULTS.items()))
    appeals = collections.Counter(
        (a.kind, a.outcome) for a in model.Session.query(RequestAppeal))
    echo(f"行政复议、行政诉讼 {sum(appeals.values())} 件：" + "，".join(
        f"{APPEAL_KINDS[kind]}{APPEAL_OUTCOMES[outcome]} {n}"
        for (kind, outcome), n in sorted(appeals.items())))
    return {"total": len(rows), "states": dict(states), "pauses": dict(pauses),
            "results": dict(by_result), "status": dict(status),
            "appeals": {f"{k}/{o}": n for (k, o), n in appeals.items()}}
