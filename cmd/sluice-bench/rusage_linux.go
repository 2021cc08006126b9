package main

import (
	"os/exec"
	"syscall"
)

// maxRSS is the child's peak resident set size in KiB.
func maxRSS(cmd *exec.Cmd) int64 {
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss
	}
	return 0
}
