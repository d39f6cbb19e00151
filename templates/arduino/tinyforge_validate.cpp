// Validation mode: frame parser and replies (protocol in tinyforge_validate.h).
// LOAD payloads stream straight into the model's input tensors and READ
// replies stream straight from the output tensors, so no frame buffer as
// large as a tensor is ever needed.
#include "tinyforge_validate.h"
#include <string.h>
#include "tinyforge_model.h"

// Cortex-M3/M4/M7/M33: the DWT cycle counter (QEMU does not implement it and reads 0).
#if defined(__ARM_ARCH_7M__) || defined(__ARM_ARCH_7EM__) || defined(__ARM_ARCH_8M_MAIN__)
#define TF_VALIDATE_HAVE_CYCCNT 1
#else
#define TF_VALIDATE_HAVE_CYCCNT 0
#endif

namespace {

// Largest payload buffered (the fixed fields of every request).
const uint32_t kSmallPayload = 8u;
const uint32_t kTensorFixedBytes = 1u + 1u + 4u * 4u;

enum State { kMagic0, kMagic1, kHeader, kPayload, kCrc };
// Where the payload bytes of the current frame go.
enum Sink { kSinkSmall, kSinkLoad, kSinkDiscard };

struct Parser {
  State state;
  Sink sink;
  uint8_t header[6];  // type, seq, length u32 LE
  uint32_t got;       // bytes of the current field received so far
  uint32_t length;
  uint32_t crc;       // running CRC over header and payload
  uint8_t crc_bytes[4];
  uint8_t small[kSmallPayload];
  uint32_t load_offset;  // LOAD: where the next data byte goes (inputs end to end)
  uint8_t load_error;    // LOAD: an error to report once the CRC is checked (0: none)
  uint32_t last_us;      // time of the last byte received mid-frame
};

// The last INFER answered, so a resent INFER (same seq) gets the same reply.
struct InferCache {
  int valid;
  uint8_t seq;
  uint8_t flags;
  uint32_t input_crc;
  uint8_t reply[16];
};

Parser g_parser;
InferCache g_infer;
int g_quit;

uint32_t input_bytes(void) {
  uint32_t n = 0;
  for (uint32_t k = 0; k < TINYFORGE_NUM_INPUTS; k++) n += tf_inputs[k].bytes;
  return n;
}

uint32_t output_bytes(void) {
  uint32_t n = 0;
  for (uint32_t k = 0; k < TINYFORGE_NUM_OUTPUTS; k++) n += tf_outputs[k].bytes;
  return n;
}

void put_u32(uint8_t* p, uint32_t v) {
  p[0] = (uint8_t)(v & 0xFFu);
  p[1] = (uint8_t)((v >> 8) & 0xFFu);
  p[2] = (uint8_t)((v >> 16) & 0xFFu);
  p[3] = (uint8_t)((v >> 24) & 0xFFu);
}

uint32_t get_u32(const uint8_t* p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

#if TF_VALIDATE_HAVE_CYCCNT
volatile uint32_t* const kDemcr = (volatile uint32_t*)0xE000EDFCu;
volatile uint32_t* const kDwtCtrl = (volatile uint32_t*)0xE0001000u;
volatile uint32_t* const kDwtCyccnt = (volatile uint32_t*)0xE0001004u;
void cycles_enable(void) {
  *kDemcr |= (1u << 24);  // TRCENA: power the DWT
  *kDwtCtrl |= 1u;        // CYCCNTENA
}
uint32_t cycles_now(void) { return *kDwtCyccnt; }
#else
void cycles_enable(void) {}
uint32_t cycles_now(void) { return 0u; }
#endif

// Writes one reply frame whose payload is `head` followed by `tail_count` spans.
struct Span {
  const uint8_t* data;
  uint32_t bytes;
};

void send_frame(uint8_t type, uint8_t seq, const uint8_t* head, uint32_t head_bytes, const Span* tail, uint32_t tail_count) {
  uint32_t length = head_bytes;
  for (uint32_t i = 0; i < tail_count; i++) length += tail[i].bytes;
  uint8_t start[8];
  start[0] = TF_VALIDATE_MAGIC0;
  start[1] = TF_VALIDATE_MAGIC1;
  start[2] = type;
  start[3] = seq;
  put_u32(start + 4, length);
  uint32_t crc = tf_crc32_update(0u, start + 2, 6u);
  tf_hal_write(start, 8u);
  if (head_bytes > 0u) {
    crc = tf_crc32_update(crc, head, head_bytes);
    tf_hal_write(head, head_bytes);
  }
  for (uint32_t i = 0; i < tail_count; i++) {
    if (tail[i].bytes == 0u) continue;
    crc = tf_crc32_update(crc, tail[i].data, tail[i].bytes);
    tf_hal_write(tail[i].data, tail[i].bytes);
  }
  uint8_t end[4];
  put_u32(end, crc);
  tf_hal_write(end, 4u);
}

void send_error(uint8_t seq, uint8_t code, uint8_t request) {
  const uint8_t body[2] = {code, request};
  send_frame(TF_VALIDATE_ERROR, seq, body, 2u, 0, 0u);
}

uint32_t put_tensor_info(uint8_t* p, const tf_tensor_info& t) {
  uint32_t scale_bits;
  memcpy(&scale_bits, &t.scale, sizeof scale_bits);
  uint32_t o = 0;
  p[o++] = t.dtype;
  p[o++] = t.rank;
  for (uint32_t d = 0; d < t.rank; d++, o += 4u) put_u32(p + o, t.dims[d]);
  put_u32(p + o, t.bytes);
  put_u32(p + o + 4u, t.elements);
  put_u32(p + o + 8u, scale_bits);
  put_u32(p + o + 12u, (uint32_t)t.zero_point);
  return o + 16u;
}

void reply_hello(uint8_t seq) {
  uint8_t head[1 + 1 + 4 + 32 + 4 + 2];
  head[0] = TF_VALIDATE_VERSION;
  head[1] = TF_VALIDATE_HAVE_CYCCNT ? 1u : 0u;
  put_u32(head + 2, TF_VALIDATE_MAX_CHUNK);
  for (uint32_t i = 0; i < 32u; i++) head[6 + i] = tf_model_sha256[i];
  put_u32(head + 38, (uint32_t)TINYFORGE_ARENA_BYTES);
  head[42] = (uint8_t)TINYFORGE_NUM_INPUTS;
  head[43] = (uint8_t)TINYFORGE_NUM_OUTPUTS;
  // One tensor's layout at a time: the CRC runs over the spans in order.
  uint8_t infos[TINYFORGE_NUM_INPUTS + TINYFORGE_NUM_OUTPUTS][kTensorFixedBytes + 4u * TF_MAX_RANK];
  Span tail[TINYFORGE_NUM_INPUTS + TINYFORGE_NUM_OUTPUTS];
  for (uint32_t k = 0; k < TINYFORGE_NUM_INPUTS + TINYFORGE_NUM_OUTPUTS; k++) {
    const tf_tensor_info& t = k < TINYFORGE_NUM_INPUTS ? tf_inputs[k] : tf_outputs[k - TINYFORGE_NUM_INPUTS];
    tail[k].data = infos[k];
    tail[k].bytes = put_tensor_info(infos[k], t);
  }
  send_frame(TF_VALIDATE_HELLO_OK, seq, head, (uint32_t)sizeof head, tail, TINYFORGE_NUM_INPUTS + TINYFORGE_NUM_OUTPUTS);
}

uint32_t crc_of_tensors(const tf_tensor_info* tensors, uint32_t count) {
  uint32_t crc = 0u;
  for (uint32_t k = 0; k < count; k++) crc = tf_crc32_update(crc, tensors[k].data, tensors[k].bytes);
  return crc;
}

void reply_infer(uint8_t seq, const uint8_t* req) {
  const uint8_t flags = req[0];
  const uint32_t want_crc = get_u32(req + 1);
  if (g_infer.valid && g_infer.seq == seq && g_infer.flags == flags && g_infer.input_crc == want_crc) {
    send_frame(TF_VALIDATE_INFER_OK, seq, g_infer.reply, 16u, 0, 0u);
    return;
  }
  g_infer.valid = 0;
  if (crc_of_tensors(tf_inputs, TINYFORGE_NUM_INPUTS) != want_crc) {
    send_error(seq, TF_VALIDATE_ERR_INPUT_CRC, TF_VALIDATE_INFER);
    return;
  }
  if ((flags & 1u) == 0u) tf_reset();
  const uint32_t c0 = cycles_now();
  const uint32_t t0 = tf_hal_micros();
  tf_hal_invoke_begin();
  const int status = tf_invoke();
  tf_hal_invoke_end();
  const uint32_t us = tf_hal_micros() - t0;
  const uint32_t cycles = cycles_now() - c0;
  if (status != 0) {
    send_error(seq, TF_VALIDATE_ERR_INVOKE, TF_VALIDATE_INFER);
    return;
  }
  put_u32(g_infer.reply, us);
  put_u32(g_infer.reply + 4, cycles);
  put_u32(g_infer.reply + 8, output_bytes());
  put_u32(g_infer.reply + 12, crc_of_tensors(tf_outputs, TINYFORGE_NUM_OUTPUTS));
  g_infer.valid = 1;
  g_infer.seq = seq;
  g_infer.flags = flags;
  g_infer.input_crc = want_crc;
  send_frame(TF_VALIDATE_INFER_OK, seq, g_infer.reply, 16u, 0, 0u);
}

void reply_read(uint8_t seq, const uint8_t* req) {
  const uint32_t offset = get_u32(req);
  const uint32_t length = get_u32(req + 4);
  const uint32_t total = output_bytes();
  if (length > TF_VALIDATE_MAX_CHUNK || offset > total || length > total - offset) {
    send_error(seq, TF_VALIDATE_ERR_RANGE, TF_VALIDATE_READ);
    return;
  }
  uint8_t head[4];
  put_u32(head, offset);
  Span tail[TINYFORGE_NUM_OUTPUTS];
  uint32_t start = 0;
  for (uint32_t k = 0; k < TINYFORGE_NUM_OUTPUTS; k++) {
    const uint32_t end = start + tf_outputs[k].bytes;
    const uint32_t lo = offset > start ? offset : start;
    const uint32_t hi = offset + length < end ? offset + length : end;
    tail[k].data = tf_outputs[k].data + (lo - start);
    tail[k].bytes = hi > lo ? hi - lo : 0u;
    start = end;
  }
  send_frame(TF_VALIDATE_READ_OK, seq, head, 4u, tail, TINYFORGE_NUM_OUTPUTS);
}

// Byte `offset` of the inputs laid end to end (offset < input_bytes()).
uint8_t* input_byte(uint32_t offset) {
  for (uint32_t k = 0; k < TINYFORGE_NUM_INPUTS; k++) {
    if (offset < tf_inputs[k].bytes) return tf_inputs[k].data + offset;
    offset -= tf_inputs[k].bytes;
  }
  return 0;
}

// Whether a request of this type can have this payload length (unknown types: small ones are read, then refused).
bool length_ok(uint8_t type, uint32_t length) {
  switch (type) {
    case TF_VALIDATE_HELLO:
    case TF_VALIDATE_QUIT:
      return length == 0u;
    case TF_VALIDATE_LOAD:
      return length >= 4u && length <= 4u + TF_VALIDATE_MAX_CHUNK;
    case TF_VALIDATE_INFER:
      return length == 5u;
    case TF_VALIDATE_READ:
      return length == 8u;
    default:
      return length <= kSmallPayload;  // read it, then answer "unknown type"
  }
}

// The header is complete: refuse an impossible length at once, or choose where the payload goes.
void begin_payload(Parser& p) {
  const uint8_t type = p.header[0];
  p.length = get_u32(p.header + 2);
  p.got = 0;
  p.load_error = 0;
  if (!length_ok(type, p.length)) {
    send_error(p.header[1], TF_VALIDATE_ERR_LENGTH, type);
    p.state = kMagic0;
    return;
  }
  p.sink = type == TF_VALIDATE_LOAD ? kSinkLoad : kSinkSmall;
  p.state = p.length == 0u ? kCrc : kPayload;
}

void payload_byte(Parser& p, uint8_t b) {
  if (p.sink == kSinkSmall || p.got < 4u) {
    p.small[p.got] = b;
    if (p.sink == kSinkLoad && p.got == 3u) {
      p.load_offset = get_u32(p.small);
      const uint32_t total = input_bytes();
      if (p.load_offset > total || p.length - 4u > total - p.load_offset) {
        p.load_error = TF_VALIDATE_ERR_RANGE;
        p.sink = kSinkDiscard;
      }
      g_infer.valid = 0;
    }
  } else if (p.sink == kSinkLoad) {
    *input_byte(p.load_offset++) = b;
  }
  p.got++;
  if (p.got == p.length) {
    p.state = kCrc;
    p.got = 0;
  }
}

// A whole frame arrived with a good CRC: answer it. Returns 1 if it was valid.
int handle_frame(Parser& p) {
  const uint8_t type = p.header[0];
  const uint8_t seq = p.header[1];
  switch (type) {
    case TF_VALIDATE_HELLO:
      reply_hello(seq);
      return 1;
    case TF_VALIDATE_LOAD: {
      if (p.load_error != 0u) {
        send_error(seq, p.load_error, type);
        return 0;
      }
      uint8_t body[8];
      put_u32(body, get_u32(p.small));
      put_u32(body + 4, p.length - 4u);
      send_frame(TF_VALIDATE_LOAD_OK, seq, body, 8u, 0, 0u);
      return 1;
    }
    case TF_VALIDATE_INFER:
      reply_infer(seq, p.small);
      return 1;
    case TF_VALIDATE_READ:
      reply_read(seq, p.small);
      return 1;
    case TF_VALIDATE_QUIT:
      send_frame(TF_VALIDATE_QUIT_OK, seq, 0, 0u, 0, 0u);
      g_quit = 1;
      return 1;
    default:
      send_error(seq, TF_VALIDATE_ERR_TYPE, type);
      return 0;
  }
}

// Feeds one byte; returns 1 when it completed a valid frame.
int feed(Parser& p, uint8_t b, uint32_t now) {
  if (p.state != kMagic0 && now - p.last_us > TF_VALIDATE_FRAME_TIMEOUT_US) p.state = kMagic0;
  p.last_us = now;
  switch (p.state) {
    case kMagic0:
      if (b == TF_VALIDATE_MAGIC0) p.state = kMagic1;
      return 0;
    case kMagic1:
      if (b == TF_VALIDATE_MAGIC1) {
        p.state = kHeader;
        p.got = 0;
      } else if (b != TF_VALIDATE_MAGIC0) {
        p.state = kMagic0;
      }
      return 0;
    case kHeader:
      p.header[p.got++] = b;
      if (p.got == 6u) {
        p.crc = tf_crc32_update(0u, p.header, 6u);
        begin_payload(p);
      }
      return 0;
    case kPayload:
      p.crc = tf_crc32_update(p.crc, &b, 1u);
      payload_byte(p, b);
      return 0;
    case kCrc:
      p.crc_bytes[p.got++] = b;
      if (p.got < 4u) return 0;
      p.state = kMagic0;
      if (get_u32(p.crc_bytes) != p.crc) {
        send_error(p.header[1], TF_VALIDATE_ERR_CRC, p.header[0]);
        return 0;
      }
      return handle_frame(p);
  }
  return 0;
}

}  // namespace

uint32_t tf_crc32_update(uint32_t crc, const uint8_t* data, uint32_t n) {
  // Reflected polynomial 0xEDB88320, four bits at a time (64-byte table).
  static const uint32_t kNibble[16] = {
      0x00000000u, 0x1DB71064u, 0x3B6E20C8u, 0x26D930ACu, 0x76DC4190u, 0x6B6B51F4u, 0x4DB26158u, 0x5005713Cu,
      0xEDB88320u, 0xF00F9344u, 0xD6D6A3E8u, 0xCB61B38Cu, 0x9B64C2B0u, 0x86D3D2D4u, 0xA00AE278u, 0xBDBDF21Cu,
  };
  crc = ~crc;
  for (uint32_t i = 0; i < n; i++) {
    crc ^= data[i];
    crc = (crc >> 4) ^ kNibble[crc & 0xFu];
    crc = (crc >> 4) ^ kNibble[crc & 0xFu];
  }
  return ~crc;
}

void tf_validate_init(void) {
  g_parser.state = kMagic0;
  g_parser.got = 0;
  g_infer.valid = 0;
  g_quit = 0;
  cycles_enable();
}

int tf_validate_busy(void) { return g_parser.state != kMagic0 && g_parser.state != kMagic1; }

int tf_validate_quit_requested(void) { return g_quit; }

int tf_validate_poll(void) {
  int frames = 0;
  for (;;) {
    const int c = tf_hal_read_byte();
    if (c < 0) break;
    frames += feed(g_parser, (uint8_t)c, tf_hal_micros());
  }
  // A frame the host abandoned must not keep the link busy forever.
  if (g_parser.state != kMagic0 && tf_hal_micros() - g_parser.last_us > TF_VALIDATE_FRAME_TIMEOUT_US) g_parser.state = kMagic0;
  return frames;
}
