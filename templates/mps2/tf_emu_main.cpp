// Emulation main, two modes chosen by tf_job.txt (see tf_emu.h):
//  - serial: the validation protocol (tinyforge_validate.h) on the CMSDK UART,
//    which QEMU connects to a pty, exactly as a real board speaks it on USB;
//  - files: runs the model on every input vector the host left in the working
//    directory (semihosting file I/O) and writes the outputs back.
// Either way only tf_invoke() runs between perf_begin() and perf_end(), so the
// instruction-count plugin reports one exact figure per inference.
#include <stdint.h>
#include <stdio.h>
#include "tf_emu.h"
#include "tinyforge_model.h"
#include "tinyforge_validate.h"
#if defined(TF_EMU_SENSOR)
#include "tf_loop.h"
#include "tf_sensor.h"
#endif

// Markers the QEMU plugin finds by symbol. noipa keeps them out of line and
// unmerged; the distinct stores keep identical-code folding away too.
static volatile uint32_t tf_perf_marker;
extern "C" __attribute__((noipa)) void perf_begin(void) { tf_perf_marker = 1u; }
extern "C" __attribute__((noipa)) void perf_end(void) { tf_perf_marker = 2u; }

// CMSDK APB UART0 of the mps2 machines: DATA +0, STATE +4 (bit 0 TX full,
// bit 1 RX full), CTRL +8 (bit 0 TX enable, bit 1 RX enable), BAUDDIV +16.
#define TF_UART_BASE 0x40004000u
#define TF_UART_DATA (*(volatile uint32_t*)(TF_UART_BASE + 0u))
#define TF_UART_STATE (*(volatile uint32_t*)(TF_UART_BASE + 4u))
#define TF_UART_CTRL (*(volatile uint32_t*)(TF_UART_BASE + 8u))
#define TF_UART_BAUDDIV (*(volatile uint32_t*)(TF_UART_BASE + 16u))
// SysTick: a 1 ms period without interrupt. It keeps QEMU's main loop waking
// up, so bytes from the host reach the UART at once (otherwise the first one
// can wait about a second; shorter periods only slow the emulator down), and
// it is the microsecond clock (25 MHz core).
#define TF_SYST_CSR (*(volatile uint32_t*)0xE000E010u)
#define TF_SYST_RVR (*(volatile uint32_t*)0xE000E014u)
#define TF_SYST_CVR (*(volatile uint32_t*)0xE000E018u)
#ifndef TF_SYST_PERIOD_US
#define TF_SYST_PERIOD_US 1000u
#endif
#define TF_SYST_PERIOD_TICKS (TF_SYST_PERIOD_US * 25u)

static void tf_uart_init(void) {
  TF_UART_BAUDDIV = 16u;
  TF_UART_CTRL = 3u;
  TF_SYST_RVR = TF_SYST_PERIOD_TICKS - 1u;
  TF_SYST_CVR = 0u;
  TF_SYST_CSR = 5u;  // processor clock, enabled, no interrupt
}

int tf_hal_read_byte(void) { return (TF_UART_STATE & 2u) ? (int)(TF_UART_DATA & 0xFFu) : -1; }

void tf_hal_write(const uint8_t* data, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    while (TF_UART_STATE & 1u) {
    }
    TF_UART_DATA = data[i];
  }
}

// Periods counted from SysTick wraps seen while polling (COUNTFLAG), so wraps
// during a long tf_invoke() are missed: under QEMU these times are not
// physical anyway (the plugin's instruction counts are the measurement).
uint32_t tf_hal_micros(void) {
  static uint32_t periods;
  uint32_t cvr = TF_SYST_CVR;
  if (TF_SYST_CSR & (1u << 16)) {
    periods++;
    cvr = TF_SYST_CVR;
  }
  return periods * TF_SYST_PERIOD_US + (TF_SYST_PERIOD_TICKS - 1u - cvr) / 25u;
}

#if defined(TF_EMU_SENSOR)
// Sensor job: the files the host compares with the simulator (tf_emu.h).
static FILE* tf_feat_file;
static FILE* tf_outs_file;
static FILE* tf_report_file;
#endif

void tf_hal_invoke_begin(void) {
#if defined(TF_EMU_SENSOR)
  if (tf_feat_file) fwrite(tf_inputs[0].data, 1, tf_inputs[0].bytes, tf_feat_file);
#endif
  perf_begin();
#ifdef TINYFORGE_EMU_HANG
  while (tf_perf_marker == 1u) {
  }
#endif
}
void tf_hal_invoke_end(void) {
  perf_end();
#if defined(TF_EMU_SENSOR)
  if (tf_outs_file) fwrite(tf_outputs[0].data, 1, tf_outputs[0].bytes, tf_outs_file);
#endif
#ifdef TINYFORGE_EMU_FLIP_OUTPUT
  tf_outputs[0].data[0] ^= 1u;
#endif
}

// Serial mode: answer frames until QUIT, then wait for the host's ack byte, so
// the QUIT_OK reply is read before QEMU exits and closes the pty.
static int tf_serial_main(void) {
  tf_uart_init();
  tf_validate_init();
  for (;;) {
    tf_validate_poll();
    if (tf_validate_quit_requested()) break;
  }
  while (tf_hal_read_byte() < 0) {
  }
  return TF_EMU_EXIT_OK;
}

static char* tf_put_uint(char* p, uint32_t v) {
  char digits[10];
  int n = 0;
  do {
    digits[n++] = (char)('0' + v % 10u);
    v /= 10u;
  } while (v != 0u);
  while (n > 0) *p++ = digits[--n];
  return p;
}

// "<prefix><v>_<k>.bin" into buf (large enough for two 32-bit numbers).
static const char* tf_file_name(char* buf, const char* prefix, uint32_t v, uint32_t k) {
  char* p = buf;
  while (*prefix) *p++ = *prefix++;
  p = tf_put_uint(p, v);
  *p++ = '_';
  p = tf_put_uint(p, k);
  const char* ext = ".bin";
  while (*ext) *p++ = *ext++;
  *p = '\0';
  return buf;
}

static void tf_say(const char* a, const char* b) {
  fputs("tinyforge: ", stdout);
  fputs(a, stdout);
  if (b) fputs(b, stdout);
  fputs("\n", stdout);
  fflush(stdout);
}

// 1: a vector count in *count; 2: "serial"; 0: missing or malformed.
static int tf_read_job(uint32_t* count) {
  FILE* f = fopen("tf_job.txt", "rb");
  if (!f) return 0;
  char text[16];
  const size_t n = fread(text, 1, sizeof text - 1, f);
  fclose(f);
  if (n >= 6 && text[0] == 's' && text[1] == 'e' && text[2] == 'r' && text[3] == 'i' && text[4] == 'a' && text[5] == 'l') return 2;
  if (n >= 6 && text[0] == 's' && text[1] == 'e' && text[2] == 'n' && text[3] == 's' && text[4] == 'o' && text[5] == 'r') return 3;
  uint32_t v = 0;
  size_t digits = 0;
  for (size_t i = 0; i < n; i++) {
    const char c = text[i];
    if (c >= '0' && c <= '9') {
      v = v * 10u + (uint32_t)(c - '0');
      digits++;
    } else if (c != '\n' && c != '\r' && c != ' ') {
      return 0;
    }
  }
  if (digits == 0 || digits > 9) return 0;
  *count = v;
  return 1;
}

static int tf_load_input(uint32_t v, uint32_t k) {
  char name[48];
  const tf_tensor_info& t = tf_inputs[k];
  FILE* f = fopen(tf_file_name(name, "tf_in_", v, k), "rb");
  if (!f) {
    tf_say("cannot open ", name);
    return TF_EMU_EXIT_INPUT;
  }
  const size_t got = fread(t.data, 1, t.bytes, f);
  const int extra = fgetc(f);
  fclose(f);
  if (got != t.bytes || extra != EOF) {
    tf_say("wrong size: ", name);
    return TF_EMU_EXIT_INPUT_SIZE;
  }
  return TF_EMU_EXIT_OK;
}

static int tf_store_output(uint32_t v, uint32_t k) {
  char name[48];
  const tf_tensor_info& t = tf_outputs[k];
  FILE* f = fopen(tf_file_name(name, "tf_out_", v, k), "wb");
  if (!f) {
    tf_say("cannot create ", name);
    return TF_EMU_EXIT_OUTPUT;
  }
  const size_t put = fwrite(t.data, 1, t.bytes, f);
  const int closed = fclose(f);
  if (put != t.bytes || closed != 0) {
    tf_say("cannot write ", name);
    return TF_EMU_EXIT_OUTPUT;
  }
  return TF_EMU_EXIT_OK;
}

#if defined(TF_EMU_SENSOR)
void tf_emu_sensor_done(void) {
  int ok = 1;
  if (fclose(tf_feat_file) != 0) ok = 0;
  if (fclose(tf_outs_file) != 0) ok = 0;
  if (fclose(tf_report_file) != 0) ok = 0;
  tf_say(ok ? "sensor stream done" : "cannot write the sensor job's files", 0);
  tf_emu_exit(ok ? TF_EMU_EXIT_OK : TF_EMU_EXIT_OUTPUT);
}

// The portable loop's report hook: one text line per result.
void tf_loop_report(const tf_loop_result* r) {
  char line[80];
  char* p = line;
  p = tf_put_uint(p, r->index);
  *p++ = ' ';
  p = tf_put_uint(p, (uint32_t)r->label);
  *p++ = ' ';
  if (r->sum < 0) *p++ = '-';
  p = tf_put_uint(p, r->sum < 0 ? (uint32_t)0 - (uint32_t)r->sum : (uint32_t)r->sum);
  *p++ = ' ';
  p = tf_put_uint(p, (uint32_t)r->count);
  *p++ = ' ';
  *p++ = r->detected ? '1' : '0';
  *p++ = '\n';
  fwrite(line, 1, (size_t)(p - line), tf_report_file);
}

static int tf_sensor_main(void) {
  tf_uart_init();
  tf_reset();
  tf_feat_file = fopen("tf_feat.bin", "wb");
  tf_outs_file = fopen("tf_outs.bin", "wb");
  tf_report_file = fopen("tf_report.txt", "wb");
  if (!tf_feat_file || !tf_outs_file || !tf_report_file) {
    tf_say("cannot create the sensor job's files", 0);
    return TF_EMU_EXIT_OUTPUT;
  }
  if (tf_loop_begin() != 0) {
    tf_say("sensor: ", tf_sensor_error());
    return TF_EMU_EXIT_INPUT;
  }
  // The always-on loop as the board runs it; the emulated HAL ends the run
  // (tf_emu_sensor_done) when the recording is used up.
  for (;;) {
    const int r = tf_loop_poll();
    if (r < 0) {
      tf_say("tf_invoke failed", 0);
      return TF_EMU_EXIT_INVOKE;
    }
    if (r == 0) tf_sensor_idle();
  }
}
#endif

int main(void) {
  uint32_t count = 0;
  const int job = tf_read_job(&count);
  if (job == 2) return tf_serial_main();
#if defined(TF_EMU_SENSOR)
  if (job == 3) return tf_sensor_main();
#endif
  if (job == 0) {
    tf_say("cannot read the vector count from tf_job.txt", 0);
    return TF_EMU_EXIT_JOB;
  }
  for (uint32_t v = 0; v < count; v++) {
    tf_reset();
    for (uint32_t k = 0; k < TINYFORGE_NUM_INPUTS; k++) {
      const int rc = tf_load_input(v, k);
      if (rc != TF_EMU_EXIT_OK) return rc;
    }
    perf_begin();
#ifdef TINYFORGE_EMU_HANG
    // Test hook: a firmware that never finishes, so the host's timeout is
    // exercised (perf_begin() set the marker to 1 and nothing changes it).
    while (tf_perf_marker == 1u) {
    }
#endif
    const int status = tf_invoke();
    perf_end();
#ifdef TINYFORGE_EMU_FLIP_OUTPUT
    // Test hook: one wrong output bit, so the host's comparison is exercised.
    tf_outputs[0].data[0] ^= 1u;
#endif
    if (status != 0) {
      tf_say("tf_invoke failed", 0);
      return TF_EMU_EXIT_INVOKE;
    }
    for (uint32_t k = 0; k < TINYFORGE_NUM_OUTPUTS; k++) {
      const int rc = tf_store_output(v, k);
      if (rc != TF_EMU_EXIT_OK) return rc;
    }
  }
  char line[32];
  *tf_put_uint(line, count) = '\0';
  fputs("tinyforge: vectors done: ", stdout);
  fputs(line, stdout);
  fputs("\n", stdout);
  fflush(stdout);
  return TF_EMU_EXIT_OK;
}
