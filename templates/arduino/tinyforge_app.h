#pragma once
// The always-on loop around the model: capture -> quantize -> invoke -> report,
// plus the validation mode driven over the serial link.
void tf_app_setup(void);
void tf_app_loop(void);
