UPDATE items SET cross_region = d.doc::json->>'cross_region' FROM item_docs d
	WHERE d.item_id = items.id;
