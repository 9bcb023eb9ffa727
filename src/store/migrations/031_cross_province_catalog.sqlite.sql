UPDATE items SET cross_region = (SELECT json_extract(d.doc, '$.cross_region') FROM item_docs d
	WHERE d.item_id = items.id);
