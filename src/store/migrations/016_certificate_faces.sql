-- Certificate faces (issue #14, hole 1): every field given by the issuer
-- ("from": "input") says whether a certificate of its type can be
-- without it ("required") and, where it has one, the form of its value
-- ("format": date, one_of, codes, pattern; "values"). Stores seeded
-- before this get the built-in types' fields of data/certs/types.json.
UPDATE cert_types SET fields = '[{"key":"name","label":"名称","from":"holder.name"},{"key":"credit_code","label":"统一社会信用代码","from":"holder.code"},{"key":"entity_type","label":"类型","from":"input","required":true},{"key":"operator","label":"经营者","from":"applicant.name"},{"key":"address","label":"经营场所","from":"input","required":true},{"key":"business_scope","label":"经营范围","from":"input","required":true},{"key":"established_on","label":"成立日期","from":"issued_on"}]'
	WHERE code = '11100000000013100M001';
UPDATE cert_types SET fields = '[{"key":"operator_name","label":"经营者名称","from":"holder.name"},{"key":"credit_code","label":"社会信用代码","from":"holder.code"},{"key":"legal_representative","label":"法定代表人（负责人）","from":"applicant.name"},{"key":"address","label":"经营场所","from":"input","required":true},{"key":"main_business","label":"主体业态","from":"input","required":true},{"key":"business_items","label":"经营项目","from":"input","required":true}]'
	WHERE code = '11100000000013100M002';
UPDATE cert_types SET fields = '[{"key":"holder_name","label":"持证人","from":"holder.name"},{"key":"holder_id","label":"身份证件号","from":"holder.code"},{"key":"spouse_name","label":"配偶姓名","from":"input","required":true},{"key":"spouse_id","label":"配偶身份证件号","from":"input","required":false},{"key":"registered_on","label":"登记日期","from":"issued_on"}]'
	WHERE code = '11100000000013127D001';
UPDATE cert_types SET fields = '[{"key":"holder_name","label":"持证人","from":"holder.name"},{"key":"holder_id","label":"身份证件号","from":"holder.code"},{"key":"former_spouse_name","label":"原配偶姓名","from":"input","required":true},{"key":"registered_on","label":"登记日期","from":"issued_on"}]'
	WHERE code = '11100000000013127D002';
UPDATE cert_types SET fields = '[{"key":"newborn_name","label":"新生儿姓名","from":"input","required":true},{"key":"sex","label":"性别","from":"input","required":true,"format":"one_of","values":["男","女"]},{"key":"born_on","label":"出生日期","from":"input","required":true,"format":"date"},{"key":"birthplace","label":"出生地点","from":"input","required":true},{"key":"mother_name","label":"母亲姓名","from":"input","required":true},{"key":"father_name","label":"父亲姓名","from":"input","required":false},{"key":"applicant_name","label":"申领人","from":"holder.name"},{"key":"applicant_id","label":"申领人身份证件号","from":"holder.code"}]'
	WHERE code = '111000000000131433001';
UPDATE cert_types SET fields = '[{"key":"householder","label":"户主姓名","from":"holder.name"},{"key":"householder_id","label":"户主公民身份号码","from":"holder.code"},{"key":"household_type","label":"户别","from":"input","required":true,"format":"one_of","values":["家庭户","集体户"]},{"key":"address","label":"住址","from":"input","required":true}]'
	WHERE code = '1110000000001316XM001';
UPDATE cert_types SET fields = '[{"key":"name","label":"姓名","from":"holder.name"},{"key":"id_number","label":"公民身份号码","from":"holder.code"},{"key":"address","label":"住址","from":"input","required":true}]'
	WHERE code = '1110000000001316XM002';
UPDATE cert_types SET fields = '[{"key":"name","label":"姓名","from":"holder.name"},{"key":"id_number","label":"证号","from":"holder.code"},{"key":"vehicle_class","label":"准驾车型","from":"input","required":true,"format":"codes","values":["A1","A2","A3","B1","B2","C1","C2","C3","C4","C5","C6","D","E","F","M","N","P"]},{"key":"first_issued_on","label":"初次领证日期","from":"input","required":true,"format":"date"}]'
	WHERE code = '1110000000001316XM003';
UPDATE cert_types SET fields = '[{"key":"name","label":"姓名","from":"holder.name"},{"key":"id_number","label":"公民身份号码","from":"holder.code"},{"key":"address","label":"居住地址","from":"input","required":true}]'
	WHERE code = '1110000000001316XM004';
UPDATE cert_types SET fields = '[{"key":"owner","label":"权利人","from":"holder.name"},{"key":"owner_id","label":"证件号码","from":"holder.code"},{"key":"location","label":"坐落","from":"input","required":true},{"key":"unit_no","label":"不动产单元号","from":"input","required":true,"format":"pattern","values":"999999999999AA99999A99999999"},{"key":"right_type","label":"权利类型","from":"input","required":true},{"key":"area","label":"面积","from":"input","required":true}]'
	WHERE code = '11100000000013186G001';
UPDATE cert_types SET fields = '[{"key":"name","label":"姓名","from":"holder.name"},{"key":"id_number","label":"社会保障号码","from":"holder.code"},{"key":"card_no","label":"卡号","from":"input","required":true}]'
	WHERE code = '111000000000132071001';
