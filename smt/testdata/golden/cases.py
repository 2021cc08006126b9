# Writes cases.json, the inputs and transform configurations of the golden
# tests (python3 cases.py); regen.sh then asks Kafka Connect for golden.json.
import json
T="org.apache.kafka.connect.transforms."
def f(fname, typ, optional=False, **kw):
    d={"field":fname,"type":typ,"optional":optional}; d.update(kw); return d
addr={"type":"struct","optional":True,"name":"db.inv.Address","fields":[f("street","string"),f("zip","int16",True)]}
rowfields=[f("id","int32"),f("name","string",True),f("email","string",True,default="none@example.com"),
 f("price","bytes",True,name="org.apache.kafka.connect.data.Decimal",version=1,parameters={"scale":"2","connect.decimal.precision":"10"}),
 f("created","int64",True,name="org.apache.kafka.connect.data.Timestamp",version=1),
 f("birth","int32",True,name="org.apache.kafka.connect.data.Date",version=1),
 f("active","boolean"),f("score","double",True),f("ratio","float"),
 dict(addr,field="addr"),
 f("tags","array",True,items={"type":"string","optional":False})]
row={"type":"struct","optional":True,"name":"db.inv.customers.Value","version":3,"doc":"a row","fields":rowfields}
key={"type":"struct","optional":False,"name":"db.inv.customers.Key","fields":[f("id","int32")]}
rowv={"id":1001,"name":"Sally","email":"s@example.com","price":"MDk=","created":1709634030123,"birth":19787,"active":True,"score":12.5,"ratio":0.25,"addr":{"street":"Main","zip":12345},"tags":["a","b"]}
nullv={"id":1002,"name":None,"email":None,"price":None,"created":None,"birth":None,"active":False,"score":None,"ratio":-1.5e-7,"addr":None,"tags":None}
env={"type":"struct","optional":False,"name":"db.inv.customers.Envelope","version":2,"fields":[dict(row,field="before"),dict(row,field="after"),f("op","string"),f("ts_ms","int64",True)]}
strs={"type":"struct","optional":False,"name":"s.Value","fields":[f("n","string"),f("f","string"),f("b","string"),f("ts","string",True),f("unix","int64"),f("bin","bytes"),f("big","int64")]}
inputs={
 "row":{"topic":"db.inv.customers","timestamp":1709634030123,"key":{"schema":key,"payload":{"id":1001}},"value":{"schema":row,"payload":rowv},"headers":[["h1","a"],["h2","b"]]},
 "nulls":{"topic":"db.inv.customers","timestamp":1709634030123,"key":{"schema":key,"payload":{"id":1002}},"value":{"schema":row,"payload":nullv}},
 "tombstone":{"topic":"db.inv.customers","timestamp":1709634030123,"key":{"schema":key,"payload":{"id":1001}},"value":None,"headers":[["h1","a"]]},
 "keyless":{"topic":"db.inv.logs","timestamp":1709634030123,"key":None,"value":{"schema":row,"payload":rowv}},
 "envelope":{"topic":"db.inv.customers","timestamp":1709634030123,"key":{"schema":key,"payload":{"id":1001}},"value":{"schema":env,"payload":{"before":None,"after":rowv,"op":"c","ts_ms":1709634030999}}},
 "schemaless":{"topic":"db.inv.raw","timestamp":1709634030123,"key":None,"value":{"schema":None,"payload":{"a":1,"b":"x","n":{"c":True,"d":{"e":2.5}}}}},
 "strings":{"topic":"s","timestamp":1709634030123,"key":None,"value":{"schema":strs,"payload":{"n":"42","f":"1.5","b":"TRUE","ts":"2024-03-05 10:20:30","unix":1709634030123,"bin":"AQID","big":300}}},
}
R=["row","nulls","tombstone","keyless"]
cases={}
def c(name, chain, ins):
    if isinstance(chain, dict): chain=[chain]
    cases[name]={"chain":chain,"inputs":ins}
c("regexrouter",{"type":T+"RegexRouter","regex":"db\\.inv\\.(.*)","replacement":"out_$1"},["row","schemaless"])
c("regexrouter-named",{"type":T+"RegexRouter","regex":"db\\.(?<rest>.*)","replacement":"r.${rest}.$0"},["row"])
c("regexrouter-first",{"type":T+"RegexRouter","regex":"c|customers|db.*","replacement":"X"},["row"])
c("timestamprouter",{"type":T+"TimestampRouter"},["row"])
c("timestamprouter-format",{"type":T+"TimestampRouter","topic.format":"${timestamp}_${topic}","timestamp.format":"yyyy-MM-dd'T'HH.mm.ss.SSS EEE MMM a hh"},["row"])
c("insertfield",{"type":T+"InsertField$Value","topic.field":"t","partition.field":"p","timestamp.field":"ts!","static.field":"s?","static.value":"v"},R+["schemaless"])
c("insertfield-nodefault",{"type":T+"InsertField$Value","topic.field":"t!","replace.null.with.default":"false"},["nulls"])
c("insertfield-offset",{"type":T+"InsertField$Value","offset.field":"o"},["row"])
c("insertfield-key",{"type":T+"InsertField$Key","topic.field":"t"},["row","keyless"])
c("insertfield-duplicate",{"type":T+"InsertField$Value","static.field":"name","static.value":"x"},["row"])
c("replacefield-exclude",{"type":T+"ReplaceField$Value","exclude":"email,addr"},R+["schemaless"])
c("replacefield-include",{"type":T+"ReplaceField$Value","include":"id,name,nosuch"},["row","nulls"])
c("replacefield-renames",{"type":T+"ReplaceField$Value","renames":"id:ident,name:full_name","exclude":"tags","replace.null.with.default":"false"},["row","nulls","schemaless"])
c("replacefield-key",{"type":T+"ReplaceField$Key","include":"id"},["row","keyless"])
c("maskfield",{"type":T+"MaskField$Value","fields":"id,name,price,created,birth,active,score,ratio,tags"},["row","nulls"])
c("maskfield-struct",{"type":T+"MaskField$Value","fields":"addr"},["row"])
c("maskfield-replacement",{"type":T+"MaskField$Value","fields":"name,email","replacement":"***"},["row","nulls","schemaless"])
c("maskfield-replacement-number",{"type":T+"MaskField$Value","fields":"id,score","replacement":"9"},["row"])
c("maskfield-replacement-boolean",{"type":T+"MaskField$Value","fields":"active","replacement":"1"},["row"])
c("valuetokey",{"type":T+"ValueToKey","fields":"name,id"},R+["schemaless"])
c("valuetokey-missing",{"type":T+"ValueToKey","fields":"nosuch"},["row"])
c("extractfield",{"type":T+"ExtractField$Value","field":"name"},R+["schemaless"])
c("extractfield-struct",{"type":T+"ExtractField$Value","field":"after"},["envelope"])
c("extractfield-v2",{"type":T+"ExtractField$Value","field":"after.addr.zip","field.syntax.version":"V2"},["envelope"])
c("extractfield-v2-schemaless",{"type":T+"ExtractField$Value","field":"n.d.e","field.syntax.version":"v2"},["schemaless"])
c("extractfield-email-default",{"type":T+"ExtractField$Value","field":"email"},["nulls"])
c("extractfield-email-nodefault",{"type":T+"ExtractField$Value","field":"email","replace.null.with.default":"false"},["nulls"])
c("extractfield-unknown",{"type":T+"ExtractField$Value","field":"nosuch"},["row"])
c("extractfield-key",{"type":T+"ExtractField$Key","field":"id"},["row","keyless"])
c("hoistfield",{"type":T+"HoistField$Value","field":"wrapped"},R+["schemaless"])
c("hoistfield-key",{"type":T+"HoistField$Key","field":"k"},["row","keyless"])
c("flatten",{"type":T+"Flatten$Value"},R+["envelope","schemaless"])
c("flatten-delimiter",{"type":T+"Flatten$Value","delimiter":"_"},["envelope"])
c("flatten-key",{"type":T+"Flatten$Key"},["row"])
c("cast-fields",{"type":T+"Cast$Value","spec":"id:string,score:int32,active:int8,ratio:float64,price:float64,created:string,birth:string,name:boolean"},["row","nulls","schemaless"])
c("cast-more",{"type":T+"Cast$Value","spec":"id:float32,score:boolean,ratio:string,price:int64,created:int64,birth:int32,email:string"},["row","nulls"])
c("cast-decimal-string",{"type":T+"Cast$Value","spec":"price:string,score:string"},["row"])
c("cast-strings",{"type":T+"Cast$Value","spec":"n:int32,f:float64,b:boolean,bin:string,big:int8,unix:float32"},["strings"])
c("cast-out-of-range",{"type":T+"Cast$Value","spec":"big:string,n:int8,f:int32"},["strings"])
c("cast-struct",{"type":T+"Cast$Value","spec":"addr:string"},["row"])
c("cast-bytes-to-int",{"type":T+"Cast$Value","spec":"bin:int32"},["strings"])
c("cast-whole",[{"type":T+"ExtractField$Value","field":"id"},{"type":T+"Cast$Value","spec":"string"}],["row"])
c("cast-whole-decimal",[{"type":T+"ExtractField$Value","field":"price"},{"type":T+"Cast$Value","spec":"float64"}],["row","nulls"])
c("cast-key",{"type":T+"Cast$Key","spec":"id:int64"},["row","keyless"])
c("timestampconverter-string",{"type":T+"TimestampConverter$Value","field":"created","target.type":"string","format":"yyyy-MM-dd HH:mm:ss.SSS"},["row","nulls","tombstone"])
c("timestampconverter-unix-seconds",{"type":T+"TimestampConverter$Value","field":"created","target.type":"unix","unix.precision":"seconds"},["row"])
c("timestampconverter-unix-micros",{"type":T+"TimestampConverter$Value","field":"created","target.type":"unix","unix.precision":"microseconds"},["row"])
c("timestampconverter-date",{"type":T+"TimestampConverter$Value","field":"created","target.type":"Date"},["row"])
c("timestampconverter-time",{"type":T+"TimestampConverter$Value","field":"created","target.type":"Time"},["row"])
c("timestampconverter-birth",{"type":T+"TimestampConverter$Value","field":"birth","target.type":"Timestamp"},["row"])
c("timestampconverter-parse",{"type":T+"TimestampConverter$Value","field":"ts","target.type":"Timestamp","format":"yyyy-MM-dd HH:mm:ss"},["strings"])
c("timestampconverter-parse-bad",{"type":T+"TimestampConverter$Value","field":"n","target.type":"Timestamp","format":"yyyy-MM-dd"},["strings"])
c("timestampconverter-unix",{"type":T+"TimestampConverter$Value","field":"unix","target.type":"string","format":"dd/MM/yy HH:mm"},["strings"])
c("timestampconverter-unknown",{"type":T+"TimestampConverter$Value","field":"id","target.type":"unix"},["row"])
c("timestampconverter-whole",[{"type":T+"ExtractField$Value","field":"created"},{"type":T+"TimestampConverter$Value","target.type":"unix","unix.precision":"nanoseconds"}],["row","nulls"])
c("timestampconverter-schemaless",{"type":T+"TimestampConverter$Value","field":"a","target.type":"Timestamp"},["schemaless"])
c("setschemametadata",{"type":T+"SetSchemaMetadata$Value","schema.name":"renamed.Value","schema.version":"7"},R)
c("setschemametadata-name",{"type":T+"SetSchemaMetadata$Key","schema.name":"renamed.Key"},["row","keyless"])
c("setschemametadata-schemaless",{"type":T+"SetSchemaMetadata$Value","schema.version":"2"},["schemaless"])
c("insertheader",[{"type":T+"InsertHeader","header":"s","value.literal":"hello world"},{"type":T+"InsertHeader","header":"n","value.literal":"42"},{"type":T+"InsertHeader","header":"b","value.literal":"true"},{"type":T+"InsertHeader","header":"l","value.literal":"12345678901"}],["row","tombstone"])
c("dropheaders",{"type":T+"DropHeaders","headers":"h1,nosuch"},["row","tombstone"])
c("headerfrom-copy",{"type":T+"HeaderFrom$Value","fields":"name,id,created,addr","headers":"hname,hid,hcreated,haddr","operation":"copy"},["row","nulls"])
c("headerfrom-move",{"type":T+"HeaderFrom$Value","fields":"name,tags","headers":"hname,htags","operation":"move"},["row","schemaless","tombstone"])
c("headerfrom-key",{"type":T+"HeaderFrom$Key","fields":"id","headers":"kid","operation":"copy"},["row"])
c("filter",{"type":T+"Filter"},["row"])
# Defaults and a map: schema derivation carries defaults (Flatten from a
# parent's default, Cast and TimestampConverter cast them).
dflt_sub={"type":"struct","optional":True,"name":"d.Sub","fields":[f("x","int32",True),f("y","string",True)]}
dflt={"type":"struct","optional":False,"name":"d.Value","version":2,"fields":[f("n","int64",True,default=5),
 f("when","int64",True,name="org.apache.kafka.connect.data.Timestamp",version=1,default=1000),
 dict(dflt_sub,field="sub"),f("m","map",True,keys={"type":"string","optional":False},values={"type":"int32","optional":True})]}
inputs["defaults"]={"topic":"d","timestamp":1709634030123,"key":None,"value":{"schema":dflt,"payload":{"n":None,"when":None,"sub":None,"m":{"k":1}}}}
c("defaults-flatten",{"type":T+"Flatten$Value"},["defaults"])
c("defaults-flatten-nomap",[{"type":T+"ReplaceField$Value","exclude":"m"},{"type":T+"Flatten$Value","delimiter":"__"}],["defaults"])
c("defaults-cast",{"type":T+"Cast$Value","spec":"n:string,when:string"},["defaults"])
c("defaults-timestampconverter",{"type":T+"TimestampConverter$Value","field":"when","target.type":"string","format":"yyyy"},["defaults"])
c("defaults-insertfield-nodefault",{"type":T+"InsertField$Value","static.field":"s","static.value":"v","replace.null.with.default":"false"},["defaults"])
c("defaults-mask-map",{"type":T+"MaskField$Value","fields":"m,n"},["defaults"])
c("defaults-setschemametadata",{"type":T+"SetSchemaMetadata$Value","schema.version":"9"},["defaults"])
c("extractfield-map",{"type":T+"ExtractField$Value","field":"m"},["defaults"])
c("insertheader-literals",[{"type":T+"InsertHeader","header":"f","value.literal":"1.50"},{"type":T+"InsertHeader","header":"neg","value.literal":"-7"},
 {"type":T+"InsertHeader","header":"big","value.literal":"99999999999999999999"},{"type":T+"InsertHeader","header":"sp","value.literal":" padded "},
 {"type":T+"InsertHeader","header":"B","value.literal":"FALSE"},
 {"type":T+"InsertHeader","header":"f2","value.literal":"0.1"},{"type":T+"InsertHeader","header":"f3","value.literal":"3.14159265358979"},
 {"type":T+"InsertHeader","header":"f4","value.literal":"1e3"},{"type":T+"InsertHeader","header":"f5","value.literal":"-2.5E-10"},
 {"type":T+"InsertHeader","header":"f6","value.literal":"100000000.0"},
 {"type":T+"InsertHeader","header":"c","value.literal":"1,5"},{"type":T+"InsertHeader","header":"d","value.literal":"2024-03-05"},
 {"type":T+"InsertHeader","header":"m","value.literal":"{a: 1}"},{"type":T+"InsertHeader","header":"w","value.literal":"a,b"}],["tombstone"])
c("timestampconverter-formats",{"type":T+"TimestampConverter$Value","field":"created","target.type":"string","format":"EEEE, d MMMM yyyy hh:mm:ss a z Z X D u k K S"},["row"])
c("timestampconverter-time-string",{"type":T+"TimestampConverter$Value","field":"birth","target.type":"string","format":"yyyy-MM-dd'T'HH:mm:ss.SSS''"},["row"])
c("timestampconverter-parse-lenient",{"type":T+"TimestampConverter$Value","field":"ts","target.type":"unix","format":"yyyy-MM-dd HH:mm"},["strings"])
c("timestamprouter-yy",{"type":T+"TimestampRouter","topic.format":"x-${timestamp}","timestamp.format":"yy.M.d H:m:s.S"},["row"])
c("regexrouter-nomatch",{"type":T+"RegexRouter","regex":"inv","replacement":"X"},["row"])
c("regexrouter-escape",{"type":T+"RegexRouter","regex":"(db)\\.(.*)","replacement":"\\$1-$2$10"},["row"])
c("valuetokey-defaults",{"type":T+"ValueToKey","fields":"n,when","replace.null.with.default":"false"},["defaults"])
c("headerfrom-defaults",{"type":T+"HeaderFrom$Value","fields":"n,when","headers":"hn,hw","operation":"move"},["defaults"])
c("hoistfield-then-flatten",[{"type":T+"HoistField$Value","field":"w"},{"type":T+"Flatten$Value"}],["row"])
json.dump({"inputs":inputs,"cases":cases},open("cases.json","w"),indent=1)
