/* Cortex-M startup for the QEMU mps2 machines: vector table, .data copy, .bss
 * zeroing, FPU enable, semihosting and C/C++ runtime init, then exit(main()).
 * Every fault and unexpected exception prints where it happened and ends the
 * emulator with TF_EMU_EXIT_FAULT, so a crash is an exit code, never a hang. */
#include <stdint.h>
#include <stdlib.h>
#include "tf_emu.h"

extern uint32_t __data_load, __data_start, __data_end, __bss_start, __bss_end, __stack_top;
extern int main(void);
extern void __libc_init_array(void);
extern void initialise_monitor_handles(void);

/* -nostartfiles drops crti.o/crtn.o, whose _init/_fini newlib's init/fini arrays call. */
void _init(void) {}
void _fini(void) {}

/* Semihosting call (Arm "bkpt 0xab" convention): operation in r0, argument in r1. */
static int32_t tf_semihost(int32_t op, const void* arg) {
  register int32_t r0 __asm__("r0") = op;
  register const void* r1 __asm__("r1") = arg;
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

#define TF_SYS_WRITE0 0x04
#define TF_SYS_EXIT_EXTENDED 0x20
#define TF_ADP_STOPPED_APPLICATION_EXIT 0x20026

/* Ends the emulator with `code` as its exit status (no stdio: safe in a fault). */
void tf_emu_exit(int code) {
  const uint32_t block[2] = {TF_ADP_STOPPED_APPLICATION_EXIT, (uint32_t)code};
  tf_semihost(TF_SYS_EXIT_EXTENDED, block);
  for (;;) {
  }
}

static char* tf_put_hex(char* p, uint32_t v) {
  static const char digits[] = "0123456789abcdef";
  *p++ = '0';
  *p++ = 'x';
  for (int shift = 28; shift >= 0; shift -= 4) *p++ = digits[(v >> shift) & 0xFu];
  return p;
}

static char* tf_put_text(char* p, const char* s) {
  while (*s) *p++ = *s++;
  return p;
}

/* Called by tf_fault_entry with the exception stack frame (r0-r3, r12, lr, pc, xpsr). */
__attribute__((used)) void tf_fault_report(const uint32_t* frame) {
  uint32_t ipsr;
  __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
  static char line[96];
  char* p = tf_put_text(line, "tinyforge: fault: exception ");
  p = tf_put_hex(p, ipsr & 0x1FFu);
  p = tf_put_text(p, " pc=");
  p = tf_put_hex(p, frame[6]);
  p = tf_put_text(p, " lr=");
  p = tf_put_hex(p, frame[5]);
  p = tf_put_text(p, "\n");
  *p = '\0';
  tf_semihost(TF_SYS_WRITE0, line);
  tf_emu_exit(TF_EMU_EXIT_FAULT);
}

/* Picks the stack the exception frame was pushed on, then reports. */
__attribute__((naked)) static void tf_fault_entry(void) {
  __asm__ volatile(
      "tst lr, #4\n"
      "ite eq\n"
      "mrseq r0, msp\n"
      "mrsne r0, psp\n"
      "b tf_fault_report\n");
}

void tf_reset_handler(void) {
  uint32_t* src = &__data_load;
  uint32_t* dst = &__data_start;
  while (dst < &__data_end) *dst++ = *src++;
  for (dst = &__bss_start; dst < &__bss_end;) *dst++ = 0;
#if defined(__ARM_FP)
  /* CPACR: full access to CP10/CP11 (the FPU) before any float instruction runs. */
  *(volatile uint32_t*)0xE000ED88u |= (0xFu << 20);
  __asm__ volatile("dsb\n isb" ::: "memory");
#endif
  initialise_monitor_handles();
  __libc_init_array();
  exit(main());
}

typedef void (*tf_vector)(void);

/* Initial stack pointer, reset, then the 14 system exceptions and 32 interrupts of the mps2 NVIC. */
__attribute__((section(".vectors"), used)) const tf_vector tf_vector_table[16 + 32] = {
    (tf_vector)(uintptr_t)&__stack_top,
    tf_reset_handler,
    tf_fault_entry, /* NMI */
    tf_fault_entry, /* HardFault */
    tf_fault_entry, /* MemManage */
    tf_fault_entry, /* BusFault */
    tf_fault_entry, /* UsageFault */
    0, 0, 0, 0,
    tf_fault_entry, /* SVCall */
    tf_fault_entry, /* DebugMonitor */
    0,
    tf_fault_entry, /* PendSV */
    tf_fault_entry, /* SysTick */
    tf_fault_entry, tf_fault_entry, tf_fault_entry, tf_fault_entry, tf_fault_entry, tf_fault_entry, tf_fault_entry, tf_fault_entry,
    tf_fault_entry, tf_fault_entry, tf_fault_entry, tf_fault_entry, tf_fault_entry, tf_fault_entry, tf_fault_entry, tf_fault_entry,
    tf_fault_entry, tf_fault_entry, tf_fault_entry, tf_fault_entry, tf_fault_entry, tf_fault_entry, tf_fault_entry, tf_fault_entry,
    tf_fault_entry, tf_fault_entry, tf_fault_entry, tf_fault_entry, tf_fault_entry, tf_fault_entry, tf_fault_entry, tf_fault_entry,
};
