/* The contract between the emulation firmware and the host that runs it
 * (tinyforge's generator/toolchain/emulate.ts mirrors these values).
 *
 * Files, relative to the emulator's working directory, read and written over
 * semihosting:
 *   tf_job.txt            "serial": speak the validation protocol
 *                         (tinyforge_validate.h) on UART0 until QUIT, then wait
 *                         for one ack byte and exit 0;
 *                         or the decimal number of input vectors N:
 *   tf_in_<v>_<k>.bin     raw bytes of model input k for vector v (0 <= v < N)
 *   tf_out_<v>_<k>.bin    raw bytes of model output k after vector v (written by the firmware)
 * Each vector runs tf_reset(), loads its inputs, then tf_invoke() between
 * perf_begin() and perf_end(): the instruction-count plugin counts that region.
 *   or "sensor" (firmware generated with --sensor): the always-on loop
 *   (tf_loop.cpp) runs on the recording tf_sensor.bin (see the emulated HAL,
 *   tf_hal_sensor.cpp) until it is used up, and appends
 *   tf_feat.bin           each input tensor the front end produced, in order
 *   tf_outs.bin           output 0 after each inference
 *   tf_report.txt         one line per result: "<index> <label> <sum> <count> <detected>" */
#ifndef TF_EMU_H
#define TF_EMU_H

#define TF_EMU_EXIT_OK 0
#define TF_EMU_EXIT_JOB 2         /* tf_job.txt missing or not a number */
#define TF_EMU_EXIT_INPUT 3       /* an input file is missing */
#define TF_EMU_EXIT_INPUT_SIZE 4  /* an input file does not hold exactly the tensor's bytes */
#define TF_EMU_EXIT_OUTPUT 5      /* an output file cannot be written */
#define TF_EMU_EXIT_INVOKE 6      /* tf_invoke() returned an error */
#define TF_EMU_EXIT_FAULT 99      /* a CPU fault or unexpected exception */

#ifdef __cplusplus
extern "C" {
#endif
/* Ends the emulator with `code` as its exit status (startup.c). */
void tf_emu_exit(int code) __attribute__((noreturn));
/* Sensor job: the recording is used up; closes the result files and exits 0 (tf_emu_main.cpp). */
void tf_emu_sensor_done(void) __attribute__((noreturn));
#ifdef __cplusplus
}
#endif

#endif
