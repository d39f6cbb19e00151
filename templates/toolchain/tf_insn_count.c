/* tinyforge instruction counter: a QEMU TCG plugin (plugin API v1, QEMU 7.x).
 *
 * Counts every executed guest instruction and reports, for each execution of
 * the region between the marker functions perf_begin() and perf_end(), the
 * number of instructions from the first instruction of perf_begin up to the
 * first instruction of perf_end: one exact figure per inference.
 *
 * Arguments (-plugin libtf_insn_count.so,begin=0x...,end=0x...,out=FILE):
 *   begin, end  addresses of the markers (the Thumb bit is ignored)
 *   out         file that receives one "region <count>" line per region as it
 *               ends, then "total <count>" when QEMU exits
 *
 * Exactness: blocks that contain a marker count instruction by instruction,
 * so a marker sees the exact number of instructions before it; every other
 * translation block adds its length once on entry, which is exact because
 * TCG only leaves a block early on a CPU exception (a fault ends the run).
 *
 * Debian's QEMU ships no qemu-plugin.h, so the few API v1 declarations this
 * file needs are written out below; they match QEMU 7.2's header. */
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_CB_R_REGS, QEMU_PLUGIN_CB_RW_REGS };
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb, enum qemu_plugin_op op, void *ptr, uint64_t imm);
void qemu_plugin_register_vcpu_insn_exec_inline(struct qemu_plugin_insn *insn, enum qemu_plugin_op op, void *ptr, uint64_t imm);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn, qemu_plugin_vcpu_udata_cb_t cb,
                                            enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

static uint64_t g_executed;           /* every guest instruction so far */
static uint64_t g_begin_pc = UINT64_MAX, g_end_pc = UINT64_MAX;
static uint64_t g_region_start;      /* g_executed when the open region began */
static int g_in_region;
static uint64_t g_regions;
static FILE *g_out;

/* Both markers read g_executed at the same point of their own instruction's
 * accounting, so the difference is the region length whatever order QEMU
 * runs a callback and an inline add of the same instruction in. */
static void on_begin(unsigned int vcpu, void *unused) {
  (void)vcpu;
  (void)unused;
  g_region_start = g_executed;
  g_in_region = 1;
}

static void on_end(unsigned int vcpu, void *unused) {
  (void)vcpu;
  (void)unused;
  if (!g_in_region) return;
  g_in_region = 0;
  g_regions++;
  fprintf(g_out, "region %" PRIu64 "\n", g_executed - g_region_start);
  fflush(g_out);
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
  (void)id;
  const size_t n = qemu_plugin_tb_n_insns(tb);
  int has_marker = 0;
  for (size_t i = 0; i < n; i++) {
    const uint64_t pc = qemu_plugin_insn_vaddr(qemu_plugin_tb_get_insn(tb, i)) & ~(uint64_t)1;
    if (pc == g_begin_pc || pc == g_end_pc) has_marker = 1;
  }
  if (!has_marker) {
    qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &g_executed, n);
    return;
  }
  for (size_t i = 0; i < n; i++) {
    struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
    const uint64_t pc = qemu_plugin_insn_vaddr(insn) & ~(uint64_t)1;
    if (pc == g_begin_pc) qemu_plugin_register_vcpu_insn_exec_cb(insn, on_begin, QEMU_PLUGIN_CB_NO_REGS, NULL);
    if (pc == g_end_pc) qemu_plugin_register_vcpu_insn_exec_cb(insn, on_end, QEMU_PLUGIN_CB_NO_REGS, NULL);
    qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &g_executed, 1);
  }
}

static void on_qemu_exit(qemu_plugin_id_t id, void *unused) {
  (void)id;
  (void)unused;
  fprintf(g_out, "total %" PRIu64 "\nregions %" PRIu64 "\n", g_executed, g_regions);
  fclose(g_out);
  g_out = NULL;
}

static int parse_address(const char *text, uint64_t *out) {
  char *end = NULL;
  const unsigned long long v = strtoull(text, &end, 0);
  if (end == text || *end != '\0') return 0;
  *out = (uint64_t)v & ~(uint64_t)1;
  return 1;
}

__attribute__((visibility("default"))) int qemu_plugin_install(qemu_plugin_id_t id, const void *info, int argc,
                                                                 char **argv) {
  (void)info;
  const char *out_path = NULL;
  int have_begin = 0, have_end = 0;
  for (int i = 0; i < argc; i++) {
    if (strncmp(argv[i], "begin=", 6) == 0) have_begin = parse_address(argv[i] + 6, &g_begin_pc);
    else if (strncmp(argv[i], "end=", 4) == 0) have_end = parse_address(argv[i] + 4, &g_end_pc);
    else if (strncmp(argv[i], "out=", 4) == 0) out_path = argv[i] + 4;
  }
  if (!have_begin || !have_end || !out_path) {
    fprintf(stderr, "tf_insn_count: expected begin=ADDR,end=ADDR,out=FILE\n");
    return -1;
  }
  g_out = fopen(out_path, "w");
  if (!g_out) {
    fprintf(stderr, "tf_insn_count: cannot write %s\n", out_path);
    return -1;
  }
  qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
  qemu_plugin_register_atexit_cb(id, on_qemu_exit, NULL);
  return 0;
}
