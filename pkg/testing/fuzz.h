/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The libFuzzer entry point every fuzz target defines. With clang and
 * -fsanitize=fuzzer it is driven by libFuzzer (make fuzz); in every other build
 * fuzz-main.c replays the committed corpus through it, so each crash ever found
 * stays a test (STYLE R14.6).
 */
#ifndef KL_TESTING_FUZZ_H
#define KL_TESTING_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
