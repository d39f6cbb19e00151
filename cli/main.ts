/**
 * The tinyforge CLI: parses flags (cac), lazy-loads the command's module so a
 * cold start only pays for what it runs, calls the library, and catches once.
 * Exit codes: 0 ok, 2 a problem with the user's input or model (typed error),
 * 1 an internal bug.
 */
import { cac } from 'cac';
import { VERSION } from '../lib/version.js';

const cli = cac('tinyforge');

async function run(load: () => Promise<{ default: (...a: any[]) => Promise<number> }>, ...args: unknown[]): Promise<void> {
  try {
    const mod = await load();
    process.exitCode = await mod.default(...args);
  } catch (e) {
    const { formatError, exitCodeFor } = await import('../lib/errors.js');
    process.stderr.write(`${formatError(e)}\n`);
    process.exitCode = exitCodeFor(e);
  }
}

cli
  .command('inspect <model>', 'Show operators, tensors, quantization, MACs and every problem of a .tflite model')
  .option('--json', 'Print a JSON report instead of tables')
  .example('tinyforge inspect examples/gesture_int8.tflite')
  .action((model: string, opts: { json?: boolean }) => run(() => import('./commands/inspect.js'), model, opts));

cli
  .command('simulate <model>', 'Run a model bit-exactly like TFLite Micro\'s reference kernels')
  .option('--input <file>', 'Input tensor file (.bin raw, .npy, .json); repeat per model input, in order')
  .option('--out <dir>', 'Write output-K.bin (raw bytes of output K)')
  .option('--json', 'Print outputs (with dequantized values) as JSON')
  .option('--dump <dir>', 'Write every computed tensor as tensor-<index>.bin')
  .option('--expect <dir>', 'Compare with tensor-<index>.bin references; name the first operator that differs')
  .option('--repeat <n>', 'Run N times and report median / min ms per inference')
  .option('--wav <file>', 'A recording (16-bit PCM WAV) through the microphone pipeline: one result per inference the board would run')
  .option('--csv <file>', 'A recording (CSV, one sample per row, in the sensor units of tinyforge.json) through the imu/adc pipeline')
  .option('--image <file>', 'A picture (PNG, BMP, PGM/PPM) through the camera pipeline')
  .option('--sensor <kind>', 'With --wav/--csv/--image: the sensor kind, if no pipeline file gives it')
  .option('--pipeline <file>', 'With --wav/--csv/--image: the pre-processing description (default: beside the model)')
  .option('--inputs-out <dir>', 'With --wav/--csv/--image: write each input tensor the pipeline made as input-<n>.bin')
  .example('tinyforge simulate examples/gesture_int8.tflite --input examples/gesture_input.bin --json')
  .example('tinyforge simulate examples/gesture_int8.tflite --csv examples/gesture_shake.csv')
  .action((model: string, opts: Record<string, unknown>) => run(() => import('./commands/simulate.js'), model, opts));

cli
  .command('generate <model>', 'Write a complete Arduino sketch project for a board')
  .option('--board <id>', 'Board id (see boards/) or path to a board JSON file')
  .option('--out <dir>', 'Output folder (must be new or empty unless --force)')
  .option('--engine <engine>', "'native' (default: tinyforge's generated C++) or 'tflm' (TFLite Micro, the board's Arduino TFLM library)")
  .option('--sensor <kind>', "Sensor that feeds the always-on loop: imu, microphone, adc or camera (default: the pipeline file's, else a test pattern)")
  .option('--pipeline <file>', 'Sensor pre-processing description (default: <model>.tinyforge.json or tinyforge.json beside the model)')
  .option('--name <name>', 'Sketch name (default: from the model file name)')
  .option('--period <ms>', 'Inference period of the always-on loop in ms (default 1000)')
  .option('--force', 'Replace a non-empty output folder')
  .example('tinyforge generate examples/gesture_int8.tflite --board nano33ble-sense-rev2 --out fw/')
  .action((model: string, opts: Record<string, unknown>) => run(() => import('./commands/generate.js'), model, opts));

cli
  .command('validate <model>', 'Run the firmware (under QEMU with --emulate, or on a board with --port) and compare every output byte with the simulator')
  .option('--board <id>', 'Board id or board JSON file (emulated: mps2-an386)')
  .option('--emulate', 'Build and run under the board\'s emulator (QEMU), over the serial protocol')
  .option('--semihosting', 'With --emulate: pass vectors as semihosting files instead of over the serial protocol')
  .option('--port <path>', 'Serial port of a board flashed with this model\'s firmware (tinyforge generate), e.g. /dev/ttyACM0')
  .option('--baud <rate>', 'Baud rate with --port (default 115200)')
  .option('--input <files>', 'One input vector: FILE, or FILE,FILE,... for several model inputs (in order); repeat per vector')
  .option('--random <n>', 'Add N seeded random vectors (default 3 when no --input)')
  .option('--seed <text>', 'Seed prefix of the random vectors (default tinyforge-validate)')
  .option('--timeout <s>', 'Kill the emulator after S seconds (default: from the model size)')
  .option('--wav <file>', 'With --emulate: replay this recording through the generated microphone capture, front end and always-on loop; compare every input tensor, output and decision with the simulator')
  .option('--csv <file>', 'With --emulate: the same with an IMU/ADC recording (CSV)')
  .option('--image <file>', 'With --emulate: the same with a picture as a camera frame')
  .option('--sensor <kind>', 'With --wav/--csv/--image: the sensor kind (default: the pipeline file beside the model)')
  .option('--pipeline <file>', 'With --wav/--csv/--image: the pre-processing description')
  .option('--out <dir>', 'Write the device outputs as DIR/vector-<i>/output-<k>.bin')
  .option('--json', 'Print the report as JSON')
  .option('--keep', 'Keep the generated project folder')
  .example('tinyforge validate examples/gesture_int8.tflite --board mps2-an386 --emulate --input examples/gesture_input.bin --random 4')
  .example('tinyforge validate examples/gesture_int8.tflite --board nano33ble-sense-rev2 --port /dev/ttyACM0 --random 20')
  .action((model: string, opts: Record<string, unknown>) => run(() => import('./commands/validate.js'), model, opts));

cli
  .command('monitor', 'Show the always-on loop\'s results (label, score, latency) live from a board\'s serial port')
  .option('--port <path>', 'Serial port of the board, e.g. /dev/ttyACM0')
  .option('--baud <rate>', 'Baud rate (default 115200)')
  .option('--json', 'One JSON object per result line')
  .option('--count <n>', 'Stop after N results')
  .option('--timeout <s>', 'Stop after S seconds')
  .example('tinyforge monitor --port /dev/ttyACM0')
  .action((opts: Record<string, unknown>) => run(() => import('./commands/monitor.js'), opts));

cli
  .command('analyze <model>', 'Estimate arena, RAM, flash, latency and energy on a board, and whether the model fits')
  .option('--board <id|path>', 'Board id (see boards/) or the path of a board JSON file')
  .option('--engine <engine>', "Inference engine: 'native' (tinyforge's generated C) or 'tflm' (TFLite Micro)", { default: 'native' })
  .option('--rate <hz>', 'Inferences per second: adds duty cycle and average power (default: the sensor pipeline\'s always-on loop rate, when tinyforge.json describes one)')
  .option('--sensor <kind>', 'Sensor of the always-on loop (imu, microphone, adc, camera): its rate and buffers enter the estimate')
  .option('--pipeline <file>', 'Sensor pre-processing description (default: <model>.tinyforge.json or tinyforge.json beside the model)')
  .option('--battery <mah>', 'Battery capacity in mAh (with --rate): adds battery life')
  .option('--json', 'Print the report as JSON')
  .option('--html <file>', 'Also write a self-contained HTML report (memory timeline, per-layer cost)')
  .example('tinyforge analyze examples/gesture_int8.tflite --board nano33ble-sense-rev2 --rate 10 --battery 500')
  .action((model: string, opts: Record<string, unknown>) => run(() => import('./commands/analyze.js'), model, opts));

cli
  .command('flash <model-or-dir>', 'Generate the sketch (for a model), compile it with arduino-cli and upload it to the board')
  .option('--board <id|path>', 'Board id (see boards/) or the path of a board JSON file')
  .option('--port <port>', 'Serial port of the board (default: the one port arduino-cli recognises as this board)')
  .option('--arduino-cli <path>', 'arduino-cli executable (default: $TINYFORGE_ARDUINO_CLI, then PATH)')
  .option('--out <dir>', 'Generate the sketch here instead of a temporary folder (models only)')
  .option('--force', 'Replace a non-empty --out folder')
  .option('--sensor <kind>', 'Input source of the generated sketch; installs its library')
  .option('--build-property <key=value>', 'Passed to arduino-cli compile; repeatable')
  .option('--no-install', 'Fail instead of installing a missing core or library')
  .option('--no-upload', 'Compile only')
  .option('--json', 'Print the report as JSON')
  .example('tinyforge flash examples/gesture_int8.tflite --board nano33ble-sense-rev2')
  .example('tinyforge flash fw/ --board esp32-devkit --port /dev/ttyUSB0')
  .action((target: string, opts: Record<string, unknown>) => run(() => import('./commands/flash.js'), target, opts));

cli.help();
cli.version(VERSION);

try {
  cli.parse(process.argv, { run: false });
  if (!cli.matchedCommand && cli.args.length === 0 && !cli.options.help && !cli.options.version) {
    cli.outputHelp();
    process.exitCode = 2;
  } else if (!cli.matchedCommand && cli.args.length > 0) {
    process.stderr.write(`error: unknown command "${cli.args[0]}"\n  hint: run \`tinyforge --help\` for the list of commands\n`);
    process.exitCode = 2;
  } else {
    await cli.runMatchedCommand();
  }
} catch (e) {
  process.stderr.write(`error: ${(e as Error).message}\n  hint: run \`tinyforge --help\`\n`);
  process.exitCode = 2;
}
