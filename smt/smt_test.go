package smt

import (
	"errors"
	"strings"
	"testing"

	"github.com/sluice-cdc/sluice/connector/change"
)

type renameTopic string

func (p renameTopic) Apply(r *change.Record) (*change.Record, error) {
	r.Topic = string(p) + r.Topic
	return r, nil
}

type dropTombstones struct{}

func (dropTombstones) Apply(r *change.Record) (*change.Record, error) {
	if r.Value == nil {
		return nil, nil
	}
	return r, nil
}

type failOn string

func (f failOn) Apply(r *change.Record) (*change.Record, error) {
	if r.Topic == string(f) {
		return nil, errors.New("cannot transform " + r.Topic)
	}
	return r, nil
}

func TestChainAppliesInOrderAndDrops(t *testing.T) {
	v := &change.Value{}
	recs := []change.Record{{Topic: "a", Value: v}, {Topic: "b"}, {Topic: "c", Value: v}}
	got, err := Chain{dropTombstones{}, renameTopic("x.")}.Apply(recs)
	if err != nil {
		t.Fatal(err)
	}
	var topics []string
	for _, r := range got {
		topics = append(topics, r.Topic)
	}
	if strings.Join(topics, ",") != "x.a,x.c" {
		t.Fatalf("topics %v, want x.a,x.c", topics)
	}
}

func TestEmptyChainPassesThrough(t *testing.T) {
	recs := []change.Record{{Topic: "a"}, {Topic: "b"}}
	got, err := Chain(nil).Apply(recs)
	if err != nil || len(got) != 2 || got[1].Topic != "b" {
		t.Fatalf("got %v, %v", got, err)
	}
}

func TestChainStopsAtAnError(t *testing.T) {
	_, err := Chain{failOn("b")}.Apply([]change.Record{{Topic: "a"}, {Topic: "b"}})
	if err == nil || !strings.Contains(err.Error(), "cannot transform b") {
		t.Fatalf("err %v", err)
	}
}
