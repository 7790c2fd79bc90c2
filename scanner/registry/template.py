"""The commented ``site.yaml`` that ``biosweep registry init`` writes.

It is a valid registry as written (a test loads it), so an officer edits values rather than
structure. Comments are bilingual because the people filling it in and the people reading a
report built from it may not share a language.
"""

from __future__ import annotations

TEMPLATE = """\
# biosweep site registry / 场所登记表
# Every collector authorised on this site, grouped by deployment. `biosweep registry check`
# validates this file; `biosweep sweep ... --registry site.yaml` compares a sweep with it.
# 本表登记本场所经授权安装的全部采集设备，按采集点分组；修改后建议运行
# biosweep registry check 校验。
schema: biosweep.registry/1

site:                                   # 场所
  name: Example Co. office, 3rd floor   # 场所名称
  address: 100 Example Road, Pudong, Shanghai    # 地址
  officer:                              # 个人信息保护负责人
    name: Li Ming
    phone: "+86 21 5555 0100"
    email: security@example.com

# Once the face information stored reaches this many people, the processor files with the
# cyberspace administration within 30 working days (Facial Recognition Measures Art. 15).
# 存储人脸信息数量达到该人数之日起 30 个工作日内，须向所在地省级以上网信部门备案
# （《人脸识别技术应用安全管理办法》第十五条）。
filing_threshold: 100000

deployments:                            # collection points / 采集点
  - id: lobby-face-gate                 # a-z 0-9 . _ - ; unique / 唯一标识
    operator:                           # personal-information processor / 个人信息处理者
      name: Example Co. Ltd
      credit_code: 91310000MA1FL0000N   # unified social credit code / 统一社会信用代码 (18)
      contact: "+86 21 5555 0100"
    location: Lobby, 3rd floor          # 安装位置
    area: Entrance gate to the office   # 采集区域
    space: internal_management          # public_place 公共场所 | internal_management 内部管理区域
                                        # Private spaces, no collector inside them:
                                        # hotel_room | public_bathroom | changing_room |
                                        # toilet | dormitory | nursing_room | fitting_room
                                        # 私密空间，其内部不得安装采集设备：宾馆客房、公共浴室、
                                        # 公共更衣室、公共卫生间（《人脸识别技术应用安全管理办法》
                                        # 第十三条）；宿舍房间、哺乳室、试衣间等
                                        # （《公共安全视频图像信息系统管理条例》）
    purpose: Staff entry                # 处理目的
    method: "1:1"                       # "1:1" verification 核验 | "1:N" identification 辨识 | none
    modalities: [face]                  # video | face | fingerprint | palm_vein | iris
    legal_basis: consent                # legal basis / 处理依据：consent | contract |
                                        # hr_management | legal_duty | public_health |
                                        # public_interest | public_security | other_law
    signage: true                       # 显著提示标识
    alternative: true                   # non-biometric alternative / 提供非生物特征识别的替代方式
    storage: on_device                  # on_device 设备本地 | local_server 本地服务器 | cloud 云端
    crosses_internet: false             # data crosses the internet / 数据是否经互联网传输
    retention_days: 30                  # 保存期限（天）
    enrolled: 120                       # people enrolled / 存储人脸信息数量（人）
    # Optional (PIPL Art. 29, 55-56; Measures Art. 6, 8, 9) / 可选项：
    separate_consent: true              # separate consent obtained / 已取得个人单独同意
    pia:                                # impact assessment before processing / 个人信息保护影响评估
      date: 2025-05-20
      reference: PIA-2025-007
    purpose_retention_days: 30          # the longest retention the purpose needs
                                        # 实现处理目的所必需的保存期限（天）
    filing:                             # 备案
      status: not_required              # filed | pending | not_filed | not_required
      # authority: 上海市互联网信息办公室
      # reference: "..."
      # date: 2025-07-01
      # reached: 2025-06-10             # the day the count reached the threshold; the deadline
      #                                 # is 30 working days later / 存储数量达到备案标准之日
      # due: 2025-08-15                 # an explicit deadline, if you were given one / 备案截止日期
    devices:
      # Give every identifier you know: serial, ONVIF/UPnP UUID and MAC match a device for
      # sure; an IP alone is weaker; a Bluetooth name never matches on its own.
      # 尽量填写序列号、UUID、MAC；仅凭 IP 匹配较弱；蓝牙名称不能单独用于匹配。
      # Optional keys / 可选项：uuid: 9a1c3d2e-0000-4000-8000-000000000001,
      #   ble_address: "aa:bb:cc:dd:ee:ff", ble_name: "FaceGate-1", firmware: V3.2.30,
      #   ports: [80, 443, 8000]
      - id: face-gate-1
        mac: "c0:56:e3:00:00:01"
        ip: 10.0.0.51
        serial: DS-K1T671MF20230101AAWR000000001
        vendor: Hikvision
        model: DS-K1T671MF
"""
