package config

import (
	"math"
	"regexp"
	"slices"
	"strings"
)

// TopicGroup is one of Kafka Connect's topic creation groups: the topics
// it takes (Include, less Exclude; the default group's Include is .* unless
// set)
// and what they are created with. Configs are the group's other
// topic.creation.<group>.* properties, passed to the broker as topic
// configs (cleanup.policy, retention.ms, ...).
type TopicGroup struct {
	Name              string
	Include, Exclude  []*regexp.Regexp
	Partitions        int32 // -1: the broker's default
	ReplicationFactor int16 // -1: the broker's default
	Configs           map[string]string
}

// Takes reports whether the group creates topic.
func (g *TopicGroup) Takes(topic string) bool {
	in := func(res []*regexp.Regexp) bool {
		return slices.ContainsFunc(res, func(re *regexp.Regexp) bool { return re.MatchString(topic) })
	}
	return in(g.Include) && !in(g.Exclude)
}

// TopicGroupDefault is the group of the topics no other group takes.
const TopicGroupDefault = "default"

// GroupFor is the first of groups, in topic.creation.groups order, that
// takes topic; the default group (last) when none does.
func GroupFor(groups []TopicGroup, topic string) *TopicGroup {
	for i := range groups {
		if groups[i].Takes(topic) {
			return &groups[i]
		}
	}
	return nil
}

// topicCreation reads Kafka Connect's topic creation settings: the groups
// of topic.creation.groups, in order, then the default group. A group's
// partitions and replication factor default to the default group's; its
// other properties are its own topic configs, as Kafka Connect's
// TopicCreationGroup has them.
func (r *reader) topicCreation(c *Connector) {
	def := r.topicGroup(TopicGroupDefault, -1, -1)
	if len(def.Include) == 0 {
		def.Include = []*regexp.Regexp{regexp.MustCompile(`^(?:.*)$`)}
	}
	// Kafka Connect requires both once any topic.creation.* property is
	// set; without any, Sluice creates topics with the broker's defaults.
	if len(r.keysWithPrefix("topic.creation.")) > 0 {
		for _, k := range []string{"topic.creation.default.replication.factor", "topic.creation.default.partitions"} {
			if _, ok := r.vals[k]; !ok {
				r.fail(k, "", "is required once a topic.creation.* property is set, as in Kafka Connect; set it (-1: the broker's default)")
			}
		}
	}
	for _, name := range strings.Split(r.str("topic.creation.groups", ""), ",") {
		name = strings.TrimSpace(name)
		if name == "" || name == TopicGroupDefault || slices.ContainsFunc(c.TopicCreation, func(g TopicGroup) bool { return g.Name == name }) {
			continue
		}
		g := r.topicGroup(name, def.Partitions, def.ReplicationFactor)
		if len(g.Include) == 0 && !r.hasErr("topic.creation."+name+".include") {
			r.fail("topic.creation."+name+".include", "", "is required for the group "+name+" of topic.creation.groups; set it to the regular expressions (comma-separated) of the topics it creates")
		}
		c.TopicCreation = append(c.TopicCreation, g)
	}
	c.TopicCreation = append(c.TopicCreation, def)
}

func (r *reader) topicGroup(name string, partitions int32, rf int16) TopicGroup {
	p := "topic.creation." + name + "."
	g := TopicGroup{Name: name, Configs: map[string]string{},
		Partitions:        int32(r.integer(p+"partitions", int64(partitions), minusOneOrPositive(math.MaxInt32))),
		ReplicationFactor: int16(r.integer(p+"replication.factor", int64(rf), minusOneOrPositive(math.MaxInt16))),
		Include:           r.regexList(p + "include"),
		Exclude:           r.regexList(p + "exclude"),
	}
	for _, k := range r.keysWithPrefix(p) {
		switch sub := k[len(p):]; sub {
		case "partitions", "replication.factor", "include", "exclude":
		default:
			v, _ := r.lookup(k)
			g.Configs[sub] = strings.TrimSpace(v)
		}
	}
	return g
}

// regexList reads a comma-separated list of regular expressions, each
// matched against the whole topic name (Java's Pattern.matches).
func (r *reader) regexList(key string) []*regexp.Regexp {
	var out []*regexp.Regexp
	for _, p := range strings.Split(r.str(key, ""), ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		re, err := regexp.Compile(`^(?:` + p + `)$`)
		if err != nil {
			r.fail(key, p, "is not a regular expression: "+err.Error())
			continue
		}
		out = append(out, re)
	}
	return out
}
