/**
 * What a benchmark ran on: CPU, cores, memory, kernel. Read from Linux's
 * /proc and uname where available.
 */
import { readFileSync } from "node:fs";
import os from "node:os";

/**
 * Describes the machine in one line.
 *
 * @returns E.g. `AMD EPYC 7B13, 2 cores, 24 GiB, Linux 6.1.0`.
 */
export function describeMachine(): string {
  let cpu = os.cpus()[0]?.model ?? "unknown CPU";
  try {
    cpu = /model name\s*:\s*(.+)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1]?.trim() ?? cpu;
  } catch {
    // Not Linux: os.cpus() is as good as it gets.
  }
  const memory = Math.round(os.totalmem() / 2 ** 30);
  return `${cpu}, ${os.cpus().length} cores, ${memory} GiB, ${os.type()} ${os.release()}`;
}
