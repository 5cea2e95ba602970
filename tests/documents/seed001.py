"""Seed 001 (Sở KH&CN Quảng Ngãi, 27/4/2021): the cover letter and "Biểu số 2".

Text copied from /work/shared/seeds/001_*.txt; paragraphs the Word table broke
across pages ("điều" / "chỉnh") are joined back.
"""

from __future__ import annotations

from danvan.documents.form_table import FormGroup, FormItem, FormSpec
from danvan.documents.letter import DocDate, Issuer, LetterSpec, Para, Signature, attachment_line
from danvan.foundation.html import paragraphs_to_html

ELECTRICITY_PROBLEM = [
    "Hiện nay, việc tiết kiệm năng lượng nói chung và tiết kiệm điện nói riêng là quốc sách, là việc cần làm của mọi người. Tuy nhiên, thực tế cho thấy việc sử dụng điện còn rất lãng phí; riêng tại các cơ quan nhà nước, một số cán bộ, công chức, viên chức vẫn thờ ơ với việc tiết kiệm điện. Các phòng làm việc được trang bị các thiết bị như: Điều hoà nhiệt độ, quạt máy, vi tính, máy in, photocopy, đèn chiếu sáng v.v... Đặc biệt máy điều hoà nhiệt độ có công suất từ 1.200W trở lên được bật thường xuyên nên điện năng tiêu thụ rất lớn. Tất cả các thiết bị điện nói trên đều được sử dụng một cách tối đa, gây lãng phí điện năng và chi phí chi trả tăng cao.",
    "Trước tình hình đó, việc thực hiện tiết kiệm điện trở nên cần thiết, cơ quan xây dựng mô hình tiết kiệm điện với các giải pháp cụ thể như sau:",
    "1. Kiểm tra mạng lưới điện trong toàn cơ quan, thay các đoạn dây bị quá tải bằng dây có tiết diện lớn hơn, thay các đoạn dây cũ, nát, rò điện; Sửa chữa các mối nối, nơi tiếp xúc cầu dao, cầu chì, phích cắm hư hỏng...",
    "2. Thay thế các bóng đèn điện (ngoài trời) cơ quan bằng đèn năng lượng mặt trời. Thay tất cả các bóng đèn sợi đốt (nếu có) bằng đèn compact hoặc đèn ống huỳnh quang, thay bóng đèn ống neon thế hệ cũ 40W, 20W bằng bóng neon thế hệ mới 36W, 18W và thay chấn lưu sắt từ bằng chấn lưu điện tử. Lắp máng, chảo chụp ở các đèn còn thiếu để tăng độ phản chiếu ánh sáng, điều chỉnh lắp đèn ở độ cao thích hợp để có độ phản chiếu của ánh sáng cao. Thiết kế mỗi đèn 1 công tắc đóng, mở.",
    "3. Khi không có người làm việc đều phải tắt hết các trang thiết bị điện trong phòng (điều hoà, vi tính, đèn, quạt...). Riêng máy điều hoà chỉ để ở chế độ 25⁰C - 27⁰C (tắt máy điều hoà trước 30 phút trước khi hết giờ làm việc), sử dụng quạt thay thế máy điều hoà nhiệt độ khi thời tiết không quá nóng; Máy photocopy, máy in, vi tính chỉ được sử dụng cho công việc cơ quan, không được sử dụng cho việc riêng cá nhân.",
    "4. Đưa nội dung tiết kiệm điện vào nội quy cơ quan. Văn phòng Sở chịu trách nhiệm thường xuyên kiểm tra theo dõi việc sử dụng các trang thiết bị điện.",
    "5. Lãnh đạo Sở, Văn phòng Sở kiểm tra đột xuất việc tiết kiệm điện của các phòng, các cá nhân. Trên cơ sở kiểm tra để đánh giá, uốn nắn, phê bình phòng và công chức, người lao động không chấp hành tốt việc tiết kiệm điện, nếu còn tái phạm thì xem xét đánh giá phân loại và xét thi đua, khen thưởng vào cuối năm. Thường xuyên nêu gương người tốt, việc tốt về tiết kiệm điện, những sáng kiến về tiết kiệm điện có hiệu quả cần nhân rộng trong và ngoài cơ quan.",
]
ELECTRICITY_ACTORS = [
    "Công chức, người lao động Khối Văn phòng Sở",
]
ELECTRICITY_RESULTS = [
    "Thực hiện tốt tiết kiệm điện sẽ đem lại hiệu quả lớn, làm giảm chi phí chi trả của cơ quan, góp phần giảm thiểu ảnh hưởng của việc cắt điện đến sản xuất và đời sống sinh hoạt, đồng thời góp phần cho sự phát triển bền vững của quốc gia. Tiết kiệm điện là làm giàu cho đất nước và cho chính chúng ta.",
]

QUALITY_AWARD_PROBLEM = [
    "- Giải thưởng Chất lượng Quốc gia (GTCLQG) là hình thức tôn vinh, khen thưởng ở cấp Quốc gia do Thủ tướng Chính phủ tặng cho các tổ chức, doanh nghiệp có thành tích xuất sắc trong việc nâng cao chất lượng sản phẩm, dịch vụ, năng lực cạnh tranh và hiệu quả hoạt động, hội nhập với nền kinh tế khu vực và thế giới. Với bề dày hơn 20 năm triển khai và hoạt động, GTCLQG đã và đang ngày càng nâng cao vị thế, uy tín trong cộng đồng doanh nghiệp và xã hội, đóng góp tích cực cho phong trào năng suất và chất lượng. Tham gia GTCLQG nhằm giúp các tổ chức, doanh nghiệp nhìn lại và đánh giá toàn diện hệ thống hoạt động sản xuất của mình, từ đó tìm ra những vấn đề cần cải tiến chất lượng, nâng cao uy tín thương hiệu, nâng cao sức cạnh tranh, đáp ứng yêu cầu hội nhập.",
    "- Tại tỉnh Quảng Ngãi, hoạt động Giải thưởng chất lượng quốc gia (GTCLQG) hàng năm được Lãnh đạo Sở cũng như lãnh đạo Chi cục Tiêu chuẩn Đo lường Chất lượng có sự quan tâm và chỉ đạo sâu sát, đồng thời xem đây là một trong những giải pháp quan trọng để đơn vị hoàn thành xuất sắc kế hoạch, nhiệm vụ được giao. Hiện nay, nhiều tổ chức, doanh nghiệp chưa thực sự quan tâm nhiều đến hoạt động này, mặt khác, việc thực hiện viết báo cáo tham gia theo quy định của 7 tiêu của GTCLQG còn gặp nhiều khó khăn.",
]
QUALITY_AWARD_ACTORS = [
    "Công chức Chi cục Tiêu chuẩn Đo lường Chất lượng (cơ quan thường trực Hội đồng sơ tuyển GTCLQG)",
]
QUALITY_AWARD_RESULTS = [
    "Thực hiện vận động, tuyên truyền hoạt động GTCLQG đến doanh nghiệp giúp cho các doanh nghiệp được tiếp cận với thông tin kế hoạch giải thưởng GTCLQG hàng năm, nhận thức được những lợi ích, hiệu quả sẽ tác động đến kết quả hoạt động sản xuất, kinh doanh, dịch vụ của chính doanh nghiệp khi tham gia giải thưởng và nâng cao ý thức tự hoàn thiện, chú trọng nâng cao chất lượng sản phẩm, hàng hóa, dịch vụ để nâng cao sức cạnh tranh và phát triển bền vững. Từ đó, doanh nghiệp sẽ nhiệt tình hơn trong việc đăng ký và tích cực tham gia GTCLQG.",
    "Tổ chức, doanh nghiệp đạt GTCLQG sẽ được phép thông báo, tuyên truyền, quảng cáo trên các phương tiện thông tin đại chúng hoặc các hình thức giới thiệu khác về đơn vị mình, được sử dụng biểu tượng của GTCLQG trên sản phẩm, ấn phẩm của tổ chức, doanh nghiệp. Các tổ chức, doanh nghiệp đạt giải được ưu tiên vay vốn từ Quỹ Phát triển khoa học và công nghệ quốc gia, Quỹ đổi mới công nghệ quốc gia, Quỹ phát triển khoa học và công nghệ ở các bộ, ngành của tỉnh và các quỹ khác theo quy định của pháp luật; ưu tiên tham gia các chương trình, dự án cấp quốc gia về phát triển, chuyển giao công nghệ, nâng cao năng suất, chất lượng.",
]

CITIZENS_PROBLEM = [
    "- Công chức Thanh tra Sở Khoa học và Công nghệ vận dụng tốt công tác dân vận khéo với công tác tiếp dân, xem xét giải quyết đơn thư, khiếu nại, tố cáo, đề nghị của công dân. Góp phần giữ vững ổn định an ninh trật tự, tạo điều kiện cho phát triển kinh tế-xã hội..., củng cố lòng tin mối quan hệ giữa nhân dân với Đảng.",
    "+ Tiếp xúc và lắng nghe ý kiến của công dân: Tiếp công dân là việc công chức tiếp công dân trực tiếp gặp gỡ để lắng nghe hoặc tiếp nhận khiếu nại, tố cáo, kiến nghị, phản ánh của công dân, của cơ quan, của tổ chức, đơn vị. Đối tượng công dân rất đa dạng là những tri thức, am hiểu pháp luật hoặc những công dân bình thường..., khi họ đến nơi tiếp dân không phải chỉ để khiếu nại, tố cáo mà họ đến để hỏi về một nội dung nào đó, để nhờ công chức tiếp dân tư vấn cho họ về nội dung có liên quan đến quyền lợi của công dân... Bởi vậy người công chức tiếp dân, giải quyết khiếu nại, tố cáo phải có thái độ, cử chỉ lịch sự, đúng mực, nghiêm túc, tôn trọng các quyền khiếu nại, tố cáo, kiến nghị, phản ánh của công dân. Điều hết sức quan trọng như Bác Hồ đã dạy trong công tác Dân vận, đó là “Tai nghe” hơn ai hết công chức tiếp dân, giải quyết khiếu nại, tố cáo, tổ chức đối thoại trong giải quyết các vụ việc khiếu nại, tố cáo phải chú ý lắng nghe công dân trình bày những ý kiến của mình và nghe ở đây là nghe để hiểu nội dung, hiểu bản chất của vấn đề, nghe để kết luận được vấn đề mà công dân đã trình bày. Thái độ đúng mực của công chức trong quá trình làm việc sẽ góp phần tạo dựng uy tín, hình ảnh của cơ quan nhà nước với công dân và tổ chức; tôn trọng công dân và tổ chức trong quá trình thực thi công vụ là biểu hiện cụ thể của mục tiêu cuối cùng của nền công vụ là phục vụ nhân dân, vì lợi ích của nhân dân.",
    "+ Áp dụng HTQLCL theo TCVN ISO 9001:2015 vào hoạt động của Thanh tra Sở, thực hiện tốt các quy trình tiếp công dân, quy trình giải quyết khiếu nại, tố cáo, kiến nghị, phản ánh nhằm giải quyết nhanh gọn, đúng pháp luật, có chất lượng các thủ tục hành chính của công dân, tổ chức, tránh phiền hà, những nhiễu; phân công công chức có đủ trình độ, kinh nghiệm, năng lực để tiếp công dân, hướng dẫn, giải quyết các yêu cầu, kiến nghị của công dân liên quan đến chức năng, nhiệm vụ của Sở. Thực hiện nghiêm Chỉ thị số 10/CT-TTg ngày 22/4/2019 của Thủ tướng Chính phủ về tăng cường xử lý, ngăn chặn có hiệu quả tình trạng những nhiễu, gây phiền hà cho người dân và doanh nghiệp trong giải quyết công việc",
    "+ Giải thích, hướng dẫn, vận động, thuyết phục, là bước quan trọng, mấu chốt của công tác “Dân vận khéo”, do đó người công chức tiếp dân, giải quyết khiếu nại, tố cáo phải là những người am hiểu, nắm vững các chủ trương, chính sách của Đảng, pháp luật của Nhà nước nói chung, pháp luật khiếu nại, tố cáo nói riêng (Luật Khiếu nại, Luật Tố cáo và các Nghị định hướng dẫn thi hành) để giải thích, hướng dẫn, vận động, thuyết phục công dân thực hiện việc khiếu nại, tố cáo, kiến nghị, phản ánh theo quy định của pháp luật. Đối với công chức, phải hoàn thành chức trách, nhiệm vụ được giao, gắn với công tác tuyên truyền, vận động người dân thực hiện tốt chủ trương, đường lối của Đảng, chính sách, pháp luật của Nhà nước nói chung, pháp luật khiếu nại, tố cáo nói riêng (Luật Khiếu nại, Luật Tố cáo, Luật Tiếp công dân và các Nghị định hướng dẫn thi hành); tạo điều kiện thuận lợi để công dân thực hiện quyền khiếu nại, tố cáo, kiến nghị, phản ánh theo đúng quy định của pháp luật; giải thích, hướng dẫn theo quy định những trường hợp công dân cố tình khiếu nại, tố cáo kéo dài không có căn cứ nhằm hạn chế đơn thư khiếu nại, tố cáo vượt cấp và giảm tình trạng khiếu nại, tố cáo sai, giải thích, hướng dẫn, vận động, thuyết phục công dân thực hiện việc khiếu nại, tố cáo, kiến nghị, phản ánh theo quy định của pháp luật là tham gia một phần vào công tác dân vận.",
]
CITIZENS_ACTORS = [
    "Công chức Thanh tra Sở",
]
CITIZENS_RESULTS = [
    "Việc thực hiện tốt công tác tiếp công dân, giải quyết khiếu nại, tố cáo ở cơ sở để giảm khiếu nại, tố cáo vượt cấp, kéo dài sẽ chấn chỉnh kịp thời những tồn tại trong quản lý nhà nước trên các lĩnh vực, đặc biệt là các lĩnh vực dễ phát sinh khiếu nại, tố cáo nhằm hạn chế phát sinh khiếu nại, tố cáo.",
    "Giải quyết dứt điểm các vụ việc tồn đọng, bức xúc, kéo dài. Giải quyết kịp thời các vụ việc mới phát sinh, nhất là các vụ việc khiếu nại đông người, không để tạo thành “điểm nóng” trong lĩnh vực mình quản lý, góp phần giữ vững ổn định an ninh trật tự, tạo điều kiện cho phát triển kinh tế-xã hội.",
]

ADDRESS_OFFICE = "202A, đường Trường Chinh, Thành phố Quảng Ngãi, tỉnh Quảng Ngãi"
ADDRESS_BRANCH = "157 đường Nguyễn Nghiêm, Thành phố Quảng Ngãi, tỉnh Quảng Ngãi"

ELECTRICITY = FormItem(
    name="Thực hiện tiết kiệm điện trong cơ quan",
    collective=True,
    address=ADDRESS_OFFICE,
    problem_html=paragraphs_to_html(ELECTRICITY_PROBLEM),
    actors_html=paragraphs_to_html(ELECTRICITY_ACTORS),
    results_html=paragraphs_to_html(ELECTRICITY_RESULTS),
    new=True,
)
QUALITY_AWARD = FormItem(
    name="Vận động tổ chức, doanh nghiệp tham gia Giải thưởng chất lượng Quốc gia",
    collective=True,
    address=ADDRESS_BRANCH,
    problem_html=paragraphs_to_html(QUALITY_AWARD_PROBLEM),
    actors_html=paragraphs_to_html(QUALITY_AWARD_ACTORS),
    results_html=paragraphs_to_html(QUALITY_AWARD_RESULTS),
    new=True,
)
CITIZENS = FormItem(
    name=(
        '"Thực hiện tốt công tác tiếp công dân, giải quyết khiếu nại, tố cáo ở cơ sở '
        'để giảm khiếu nại, tố cáo vượt cấp, kéo dài"'
    ),
    individual=True,
    address=ADDRESS_OFFICE,
    problem_html=paragraphs_to_html(CITIZENS_PROBLEM),
    actors_html=paragraphs_to_html(CITIZENS_ACTORS),
    results_html=paragraphs_to_html(CITIZENS_RESULTS),
    new=True,
)
GROUPS = [
    FormGroup("Lĩnh vực Tài chính, Văn phòng", [ELECTRICITY]),
    FormGroup("Lĩnh vực Tiêu chuẩn Đo lường Chất lượng", [QUALITY_AWARD]),
    FormGroup("Lĩnh vực thanh tra", [CITIZENS]),
]

SKHCN = Issuer(
    family="state",
    superior="UBND TỈNH QUẢNG NGÃI",
    name="SỞ KHOA HỌC VÀ CÔNG NGHỆ",
    suffix="SKHCN-VP",
    place="Quảng Ngãi",
    display_name="Sở Khoa học và Công nghệ",
)

BODY = [
    Para.markup(
        "Thực hiện Hướng dẫn số 08-HD/BDVTU ngày 19/4/2021 của Ban Dân vận Tỉnh ủy về việc "
        'xây dựng mô hình, điển hình "*Dân vận khéo*", giai đoạn 2021-2025;'
    ),
    Para.markup(
        'Sở Khoa học và Công nghệ đăng ký xây dựng mới mô hình, điển hình "Dân vận khéo" '
        "năm 2021 (*có biểu mẫu số 2 đính kèm*)."
    ),
    "Kính gửi Ban Dân vận Tỉnh ủy theo dõi, tổng hợp./.",
]
BODY_TEXTS = [
    "Thực hiện Hướng dẫn số 08-HD/BDVTU ngày 19/4/2021 của Ban Dân vận Tỉnh ủy về việc "
    'xây dựng mô hình, điển hình "Dân vận khéo", giai đoạn 2021-2025;',
    'Sở Khoa học và Công nghệ đăng ký xây dựng mới mô hình, điển hình "Dân vận khéo" '
    "năm 2021 (có biểu mẫu số 2 đính kèm).",
    "Kính gửi Ban Dân vận Tỉnh ủy theo dõi, tổng hợp./.",
]
COPIES = [
    "Như trên",
    "Sở Nội vụ",
    "GD, các PGD Sở",
    "Các phòng, đơn vị thuộc Sở",
    "Lưu: VT, VP.",
]


def cover_letter(groups: list[FormGroup] | None = None) -> LetterSpec:
    """The seed 001 cover letter with "Biểu số 2" as its landscape appendix."""
    spec = LetterSpec(
        issuer=SKHCN,
        date=DocDate(27, 4, 2021),
        subject='V/v đăng ký mô hình, điển hình\n"Dân vận khéo" năm 2021',
        recipients=["Ban Dân vận Tỉnh ủy"],
        body=list(BODY),
        copies=list(COPIES),
        signature=Signature("KT.", "GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Trần Công Hòa"),
    )
    form = FormSpec(
        groups=GROUPS if groups is None else groups,
        attached_to=attachment_line(spec),
        label="Biểu số 2",
    )
    spec.appendices.append(form)
    return spec
