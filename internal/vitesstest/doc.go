// Package vitesstest holds checks that run against the local Vitess test cluster
// started by deploy/local/vitess.sh. Its tests skip unless SLUICE_TEST_VTGATE_GRPC
// and SLUICE_TEST_VTGATE_MYSQL are set (vitess.sh start prints them).
package vitesstest
