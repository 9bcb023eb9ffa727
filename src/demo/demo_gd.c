/* The second demo province, 广东 (serve --demo --province 440000): the
 * province, 广州市 and two of its districts, a staff account of each role,
 * two citizens and a business, and a catalog of the same national basic
 * items as 浙江's, several of them offered for cross-province handling
 * (跨省通办, cross_region "nationwide"): a peer for the cross-province
 * demonstrations (issue 18). The department credit codes are made as
 * 浙江's are (demo.c), and data/demo/catalog-440000.json names them. */
#include "demo/sets.h"

static const struct tb_demo_dept departments[] = {
    {"广东省市场监督管理局", "440000", "province", "market"},
    {"广东省人力资源和社会保障厅", "440000", "province", "hrss"},
    {"广东省公安厅", "440000", "province", "police"},
    {"广州市公安局", "440100", "city", "police"},
    {"广州市人力资源和社会保障局", "440100", "city", "hrss"},
    {"广州市天河区政务服务中心", "440106", "county", "centre"},
    {"广州市天河区市场监督管理局", "440106", "county", "market"},
    {"广州市天河区民政局", "440106", "county", "civil"},
    {"广州市天河区人力资源和社会保障局", "440106", "county", "hrss"},
    {"广州市越秀区市场监督管理局", "440104", "county", "market"},
};

static const struct tb_demo_staff staff[] = {
    {"何窗口", "440106198808081010", "13700000001", "window_clerk", 5, NULL},
    {"黄审核", "440106198707072027", "13700000002", "reviewer", 6, NULL},
    {"梁审批", "440106198606063017", "13700000003", "approver", 6, NULL},
    {"罗目录", "440104198505054020", "13700000004", "catalog_manager", -1, "440100"},
    {"谢监督", "44010619830303602X", "13700000006", "supervisor", -1, "440000"},
    {"邓管理", "44010619820202701X", "13700000007", "admin", -1, "440000"},
    {"许户政", "44010419860606501X", "13700000008", "reviewer", 3, NULL},
    {"郭户籍", "440104198712126023", "13700000009", "approver", 3, NULL},
};

static const struct tb_demo_person citizens[] = {
    {"陈粤", "440106199203151236", "13600000001"},
    {"林穗", "440104199506202341", "13600000002"},
};

static const struct tb_demo_business businesses[] = {
    {"广州天河示例贸易有限公司", "91440106MA5D7K2L5D", 0, true},
    {"广州越秀示例小食店", "92440104MA5H9N3P7U", 1, false},
};

#define N(a) (sizeof(a) / sizeof((a)[0]))
const struct tb_demo_set tb_demo_guangdong = {
    "440000", departments, N(departments), staff,         N(staff),
    citizens, N(citizens), businesses,     N(businesses), "data/demo/catalog-440000.json",
    false,
};
