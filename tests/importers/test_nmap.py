"""``biosweep import nmap``: nmap XML (as ``nmap -sV -oX`` writes it) to identified devices;
hostile or foreign XML is refused with exit status 2."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from scanner.cli.app import app
from scanner.importers import parse_nmap

runner = CliRunner()

XML = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE nmaprun>
<?xml-stylesheet href="file:///usr/bin/../share/nmap/nmap.xsl" type="text/xsl"?>
<nmaprun scanner="nmap" args="nmap -sV -oX out.xml 10.77.0.0/24" start="1700000000" version="7.93" xmloutputversion="1.05">
<host starttime="1700000001" endtime="1700000009"><status state="up" reason="arp-response" reason_ttl="0"/>
<address addr="10.77.0.45" addrtype="ipv4"/><address addr="BC:AD:28:5A:C0:45" addrtype="mac" vendor="Hangzhou Hikvision Digital Technology"/>
<hostnames><hostname name="nvr-main.lan" type="PTR"/></hostnames>
<ports><port protocol="tcp" portid="80"><state state="open" reason="syn-ack" reason_ttl="64"/><service name="http" method="probed" conf="10"/>
<script id="http-server-header" output="DNVRS-Webs"><elem>DNVRS-Webs</elem></script>
<script id="http-title" output="Site doesn&apos;t have a title (text/html)."/></port>
<port protocol="tcp" portid="22"><state state="open" reason="syn-ack" reason_ttl="64"/><service name="ssh" product="OpenSSH"/>
<script id="banner" output="SSH-2.0-OpenSSH_7.4"/></port>
<port protocol="tcp" portid="8000"><state state="closed" reason="reset" reason_ttl="64"/></port>
</ports></host>
<host><status state="down" reason="no-response" reason_ttl="0"/><address addr="10.77.0.99" addrtype="ipv4"/></host>
<host><status state="up"/><address addr="10.77.0.53" addrtype="ipv4"/><address addr="E4:47:91:5A:D0:53" addrtype="mac"/>
<ports><port protocol="tcp" portid="80"><state state="open"/><service name="http"/><script id="http-title" output="iCAM7 Configuration"/></port></ports></host>
<runstats><finished time="1700000010" elapsed="10"/><hosts up="2" down="1" total="3"/></runstats>
</nmaprun>
"""


def test_hosts_macs_ports_and_scripts_become_observations() -> None:
    obs = parse_nmap(XML.encode())
    got = {(o.subject, o.field, o.value) for o in obs}
    assert ("ip:10.77.0.45", "mac.address", "bc:ad:28:5a:c0:45") in got
    assert ("ip:10.77.0.45", "tcp.open_port", "80") in got
    assert ("ip:10.77.0.45", "http.server", "DNVRS-Webs") in got
    assert ("ip:10.77.0.45", "ip.hostname", "nvr-main.lan") in got
    assert ("ip:10.77.0.45", "ssh.banner", "SSH-2.0-OpenSSH_7.4") in got
    assert ("ip:10.77.0.53", "http.title", "iCAM7 Configuration") in got
    assert not any(o.value == "8000" for o in obs)  # closed
    assert not any("10.77.0.99" in o.subject for o in obs)  # down
    assert not any(o.field == "http.title" and "have a title" in o.value for o in obs)


def test_import_nmap_identifies_collectors(tmp_path: Path) -> None:
    path = tmp_path / "scan.xml"
    path.write_text(XML)
    result = runner.invoke(app, ["import", "nmap", str(path), "--json"])
    assert result.exit_code == 1, result.output
    doc = json.loads(result.stdout)
    by_ip = {ip: d for d in doc["devices"] for ip in d["ips"]}
    nvr = by_ip["10.77.0.45"]["identifications"][0]
    assert (nvr["vendor"], nvr["device_class"]) == ("Hikvision", "nvr_dvr")
    assert by_ip["10.77.0.53"]["collector"]


def test_hostile_or_foreign_xml_is_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xml"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE nmaprun [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><nmaprun>&b;</nmaprun>'
    )
    other = tmp_path / "other.xml"
    other.write_text("<html><body>not nmap</body></html>")
    for path in (bomb, other, tmp_path / "missing.xml"):
        result = runner.invoke(app, ["import", "nmap", str(path)])
        assert result.exit_code == 2, (path, result.output)
